/**
 * Readiness as the admin sees it, against the real lab: the badges and their evidence, the
 * host's prerequisites, a guest frozen from outside and thawed from the banner, and badges that
 * follow libvirt's events without a click. The test-driver host brings the long-list mixes.
 */
import { describe, expect, it } from 'vitest';
import { readLabProfile, testDomains, type LabProfile } from '../lab/lab';
import { fsfreezeStatus, labVirsh } from '../support/snapshot-helpers';
import {
  allDomainRows,
  connectHost,
  connectLab,
  fetchedAt,
  labGuestNames,
  readinessLevels,
  refreshDomains,
  selectHost,
  useGui,
  waitForLevels,
  type Gui,
} from './harness';

let profile: LabProfile;
let gui: Gui;
let agent: string;
let noAgent: string;
let noChannel: string;

useGui({
  setup: async (g) => {
    gui = g;
    profile = readLabProfile();
    ({ agent, noAgent, noChannel } = labGuestNames(profile));
    await connectLab(gui.page, profile);
    await gui.page.getByTestId(`domain-row-${agent}`).waitFor({ timeout: 60_000 });
  },
});

/** virsh on the lab's libvirtd, as root on this machine: "from outside" the app. */
const virsh = (...args: string[]) => labVirsh(profile.libvirtUri, '-q', ...args);

/**
 * How long a badge may take to follow an event: the 500 ms debounce plus one inventory read,
 * about a second on a quiet lab, but several on two cores shared with booting TCG guests.
 */
const LIVE_MS = 30_000;

/** How many inventories the page has asked for so far. */
const inventoryRequests = () => gui.calls.filter((m) => m === 'domains.list').length;

describe('readiness badges', () => {
  it('shows ready, agent not started and no channel for the three lab guests', async () => {
    const { page } = gui;
    await selectHost(page, 'lab');
    await waitForLevels(page, {
      [agent]: 'ready',
      [noAgent]: 'agent-not-connected',
      [noChannel]: 'no-channel',
    });
    expect(await page.getByTestId(`readiness-${agent}`).innerText()).toBe('Ready');
    expect(await page.getByTestId(`readiness-${noAgent}`).innerText()).toBe('Agent not started');
    expect(await page.getByTestId(`readiness-${noChannel}`).innerText()).toBe('No agent channel');
    // The why is one step away: in the badge's tooltip, and in the row's details.
    const noAgentBadgeCell = page.locator('td', { has: page.getByTestId(`readiness-${noAgent}`) });
    expect(await noAgentBadgeCell.getAttribute('title')).toContain(
      'the agent is not running in the guest',
    );
    await page.getByTestId(`evidence-toggle-${noAgent}`).click();
    expect(await page.getByTestId(`evidence-${noAgent}`).innerText()).toContain(
      'the agent is not running in the guest',
    );
    await page.getByTestId(`evidence-toggle-${noAgent}`).click();
    // Counted over every row (other runs sharing the lab may have guests of their own): each
    // level present has its chip with its count and words, ready first.
    const levels = [...(await allDomainRows(page)).values()].map((r) => r.level);
    const chips = await page.$$eval('[data-testid^="readiness-chip-"][data-level]', (els) =>
      els.map((el) => ({
        level: el.getAttribute('data-level')!,
        count: Number(el.getAttribute('data-count')),
        text: (el as HTMLElement).innerText,
      })),
    );
    const words: Record<string, string> = {
      ready: 'ready',
      'agent-not-connected': 'agent not started',
      'no-channel': 'no agent channel',
    };
    for (const [level, word] of Object.entries(words)) {
      const chip = chips.find((c) => c.level === level)!;
      expect(chip.count).toBe(levels.filter((l) => l === level).length);
      expect(chip.text).toContain(word);
    }
    expect(chips).toHaveLength(new Set(levels).size);
    expect(chips[0]!.level).toBe('ready');
    expect(await page.getByTestId('last-updated').innerText()).toMatch(/^updated \d\d:\d\d:\d\d$/);
    // Colours differ by family; the frozen one is the only solid red (checked below).
    const colour = (name: string) =>
      page.getByTestId(`readiness-${name}`).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(
      new Set([await colour(agent), await colour(noAgent), await colour(noChannel)]).size,
    ).toBe(2);
    await gui.screenshot('readiness-badges');
  });

  it('shows the evidence behind a badge, with the keyboard too', async () => {
    const { page } = gui;
    await selectHost(page, 'lab');
    const toggle = page.getByTestId(`evidence-toggle-${agent}`);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    const evidence = page.getByTestId(`evidence-${agent}`);
    await evidence.waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await toggle.getAttribute('aria-controls')).toBe(await evidence.getAttribute('id'));
    const text = await evidence.innerText();
    for (const check of [
      'Domain state',
      'Agent channel org.qemu.guest_agent.0',
      'Agent answers guest-ping',
      'Agent can freeze (guest-info)',
      'Filesystems thawed (guest-fsfreeze-status)',
    ]) {
      expect(text).toContain(check);
    }
    expect(text).toContain(`qemu-agent-command --timeout 3 ${profile.guests[0]!.uuid}`);
    expect(text).toMatch(/\d+ ms/);
    expect(await evidence.locator('.check[data-ok="false"]').count()).toBe(0);
    expect(
      await evidence
        .locator('pre.command')
        .first()
        .evaluate((el) => getComputedStyle(el).fontFamily),
    ).toMatch(/mono/i);
    await gui.screenshot('readiness-evidence', { height: 1400 });
    await toggle.click();
    await evidence.waitFor({ state: 'detached' });

    // Keyboard: arrows move between rows, `e` opens and closes the evidence. (Other runs may
    // have guests of their own in the lab, so the test leaves a row and comes back to it.)
    const isFocused = (name: string) =>
      page.getByTestId(`domain-row-${name}`).evaluate((el) => el === document.activeElement);
    await page.getByTestId(`domain-row-${noAgent}`).focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => isFocused(noAgent)).toBe(false);
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? ''),
    ).toMatch(/^domain-row-/);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => isFocused(noAgent)).toBe(true);
    // The row last focused is the one Tab stop among the rows (roving tabindex).
    expect(await page.getByTestId(`domain-row-${noAgent}`).getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('e');
    const noAgentEvidence = page.getByTestId(`evidence-${noAgent}`);
    await noAgentEvidence.waitFor();
    const failed = noAgentEvidence.locator('.check[data-ok="false"]');
    expect(await failed.count()).toBe(1);
    expect(await failed.innerText()).toContain('present, state=disconnected');
    expect(await noAgentEvidence.innerText()).toContain('What to do:');
    await page.keyboard.press('e');
    await noAgentEvidence.waitFor({ state: 'detached' });
    expect(await page.locator('.keys-hint').innerText()).toContain('opens the focused domain');
  });
});

describe('host prerequisites', () => {
  it('shows the lab host’s prerequisites, with external revert not supported on libvirt 9.0', async () => {
    const { page } = gui;
    await selectHost(page, 'lab');
    const panel = page.getByTestId('prerequisites');
    await panel.waitFor();
    // All met: one line; the list opens on demand.
    expect(await panel.getByTestId('prereq-virsh').count()).toBe(0);
    await panel.getByTestId('prereq-toggle').click();
    for (const id of ['virsh', 'access', 'libvirt-version', 'hypervisor', 'external-delete']) {
      expect(await panel.getByTestId(`prereq-${id}`).getAttribute('data-ok'), id).toBe('true');
    }
    expect(await panel.getByTestId('prereq-hypervisor').innerText()).toMatch(/QEMU \d/);
    expect(await panel.getByTestId('prereq-libvirt-version').innerText()).toContain(
      'libvirt 9.0.0',
    );
    // Revert's limit on libvirt 9.0 is said where revert is offered (the history), not here.
    expect(await panel.getByTestId('prereq-external-revert').count()).toBe(0);
    expect(await panel.getAttribute('data-all-ok')).toBe('true');
    expect(await panel.innerText()).toContain('all 5 met');
    await gui.screenshot('prerequisites-lab');
  });

  it('flags the test driver’s TEST hypervisor and counts its 200 domains by readiness', async () => {
    const { page } = gui;
    await connectHost(gui.page, profile, {
      name: 'lab-test-driver',
      libvirtUri: profile.testDriverUri,
    });
    await expect
      .poll(async () => (await allDomainRows(page)).size, { timeout: 60_000 })
      .toBe(profile.testDriverDomains);
    const hv = page.getByTestId('prereq-hypervisor');
    expect(await hv.getAttribute('data-ok')).toBe('false');
    expect(await hv.innerText()).toContain('TEST');
    expect(await hv.innerText()).toContain('libvirt’s test driver');

    // The test driver's mix is fixed: paused, shut off, a channel every 20th, none elsewhere.
    const want = new Map<string, string>();
    for (const d of testDomains(profile.testDriverDomains)) {
      want.set(
        d.name,
        d.state === 'paused'
          ? 'paused'
          : d.state === 'shut off'
            ? 'not-running'
            : d.agentChannel
              ? 'agent-not-connected'
              : 'no-channel',
      );
    }
    const shown = [...(await allDomainRows(page))].map(([name, row]) => [name, row.level]);
    expect(new Map(shown as [string, string][])).toEqual(want);
    const count = (level: string) => [...want.values()].filter((l) => l === level).length;
    const chips = await page.$$eval('[data-testid^="readiness-chip-"][data-level]', (els) =>
      els.map((el) => `${(el as HTMLElement).innerText.replace(/\s+/g, ' ').trim()}`),
    );
    expect(chips).toEqual([
      `agent not started ${count('agent-not-connected')}`,
      `no agent channel ${count('no-channel')}`,
      `paused ${count('paused')}`,
      `not running ${count('not-running')}`,
    ]);
    await gui.screenshot('prerequisites-test-driver');

    // The filter understands readiness words too.
    await page.getByTestId('domain-filter').fill('agent not started');
    await expect
      .poll(async () => (await allDomainRows(page)).size)
      .toBe(count('agent-not-connected'));
    expect(await page.getByTestId('domain-count').innerText()).toBe(
      `${count('agent-not-connected')} of ${want.size}`,
    );
    await page.getByTestId('domain-filter').press('Escape');
    await expect.poll(async () => (await allDomainRows(page)).size).toBe(profile.testDriverDomains);
  });
});

describe('a guest frozen from outside', () => {
  it('raises the banner, and Thaw now thaws the guest', async () => {
    const { page } = gui;
    await selectHost(page, 'lab');
    await waitForLevels(page, { [agent]: 'ready' });
    expect(await page.getByTestId('frozen-banner').count()).toBe(0);
    try {
      virsh('domfsfreeze', agent);
      expect(fsfreezeStatus(profile.libvirtUri, agent)).toBe('frozen');
      // An fsfreeze emits no libvirt event: the admin's Refresh (or the next event) shows it.
      await refreshDomains(page);
      const banner = page.getByTestId('frozen-banner');
      await banner.waitFor();
      expect(await banner.getAttribute('role')).toBe('alert');
      expect(await banner.innerText()).toContain(`${agent} is frozen`);
      const badge = page.getByTestId(`readiness-${agent}`);
      expect(await badge.getAttribute('data-level')).toBe('frozen');
      expect(await badge.innerText()).toBe('FROZEN');
      expect(await badge.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 255, 255)');
      // The banner is the first thing on the host page, above the host's facts.
      expect(
        await banner.evaluate(
          (el) => el.compareDocumentPosition(document.querySelector('.host-facts')!) & 4,
        ),
      ).toBe(4);
      await gui.screenshot('frozen-banner', { height: 1000 });

      await page.getByTestId(`thaw-${agent}`).click();
      await banner.waitFor({ state: 'detached', timeout: 60_000 });
      expect(await page.getByTestId('thaw-result').innerText()).toMatch(
        new RegExp(`${agent} thawed: \\d+ filesystems? can be written again`),
      );
      expect(fsfreezeStatus(profile.libvirtUri, agent)).toBe('thawed');
      expect(await page.getByTestId(`readiness-${agent}`).getAttribute('data-level')).toBe('ready');
      await gui.screenshot('frozen-thawed');
    } finally {
      // Never leave the lab guest frozen, whatever failed above.
      try {
        virsh('domfsthaw', agent);
      } catch {
        /* not frozen any more */
      }
    }
  });
});

describe('live updates', () => {
  it('follows a guest paused and resumed outside the app, without a click', async () => {
    const { page } = gui;
    await selectHost(page, 'lab');
    await waitForLevels(page, { [noChannel]: 'no-channel' });
    const state = page.getByTestId(`domain-state-${noChannel}`);
    try {
      virsh('suspend', noChannel);
      await expect
        .poll(() => state.getAttribute('data-state'), { timeout: LIVE_MS })
        .toBe('paused');
      expect(await page.getByTestId(`readiness-${noChannel}`).getAttribute('data-level')).toBe(
        'paused',
      );
      await gui.screenshot('live-paused');
      virsh('resume', noChannel);
      await expect
        .poll(() => state.getAttribute('data-state'), { timeout: LIVE_MS })
        .toBe('running');
      expect(await page.getByTestId(`readiness-${noChannel}`).getAttribute('data-level')).toBe(
        'no-channel',
      );
    } finally {
      if (virsh('domstate', noChannel).trim() === 'paused') virsh('resume', noChannel);
    }
  });

  it('folds a burst of events into one inventory request', async () => {
    const { page } = gui;
    await selectHost(page, 'lab');
    await waitForLevels(page, { [noChannel]: 'no-channel' });
    // Other test runs may share the lab and send their own events: a few tries, and the
    // burst counts if one of them saw exactly one request for its two events.
    const seen: number[] = [];
    for (let attempt = 0; attempt < 3 && !seen.includes(1); attempt++) {
      const before = inventoryRequests();
      const shownBefore = await fetchedAt(page);
      try {
        virsh('suspend', noChannel);
        virsh('resume', noChannel);
      } finally {
        if (virsh('domstate', noChannel).trim() === 'paused') virsh('resume', noChannel);
      }
      await page
        .locator(`[data-testid="last-updated"]:not([data-fetched-at="${shownBefore}"])`)
        .waitFor({ timeout: LIVE_MS });
      // Quiet for longer than the debounce: no second request is on its way.
      await page.waitForTimeout(1500);
      seen.push(inventoryRequests() - before);
    }
    expect(seen).toContain(1);
    expect((await readinessLevels(page, [noChannel]))[noChannel]).toBe('no-channel');
  });
});
