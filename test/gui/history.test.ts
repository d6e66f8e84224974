/**
 * The snapshot history as the admin uses it, against the real lab: two consistent snapshots taken
 * through the services (as another workstation's Quiesce would) and one made with plain virsh,
 * then in the window the list with its labels, windows, filter, sort and search, the charts, a
 * delete that says what happens to the disk chain, the revert that libvirt 9.0 cannot do
 * explained with the manual procedure, and a merge of the whole chain with its progress. Every
 * snapshot of the lab guests is deleted afterwards, and the overlay files this run made are
 * removed, so the lab stays as it was found.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OperationSummary } from '../../shared/snapshot';
import { readLabProfile, type LabGuest, type LabProfile } from '../lab/lab';
import { connectedLabSession, type serviceHarness } from '../support/service-harness';
import { deleteAllSnapshots, labVirsh, waitForEnd } from '../support/snapshot-helpers';
import {
  axeViolations,
  connectLabListing,
  SCREENSHOT_DIR,
  setTheme,
  useGui,
  type Gui,
} from './harness';

let profile: LabProfile;
let agent: LabGuest;
let gui: Gui;
let service: ReturnType<typeof serviceHarness> | undefined;
/** The lab host as the services (not the window) know it. */
let serviceHostId: string;

/** This run's mark, in every name it makes, so its files can be told from anyone else's. */
const token = Date.now().toString(36);
/** The two consistent snapshots (oldest first) and the one made by hand. */
const made: { name: string; description: string; opId: string }[] = [];
const byHand = `gui-by-hand-${token}`;
/** An operation that failed: a second snapshot under a name libvirt already has. */
let failedOpId: string;

/** A consistent snapshot on two TCG cores, plus waiting for other sessions sharing the lab. */
const RUN_MS = 120_000;
const BUSY_WAIT_MS = 180_000;

/**
 * Two consistent snapshots through the services, one refused (a name libvirt already has), one
 * made by hand with virsh (while the window starts).
 */
async function prepare(): Promise<void> {
  profile = readLabProfile();
  agent = profile.guests.find((g) => g.role === 'agent')!;
  cleanLab();
  const session = await connectedLabSession();
  service = session.h;
  const hostId = (serviceHostId = session.hostId);
  for (const [i, what] of [
    [1, 'before the upgrade'],
    [2, 'after the schema migration'],
  ] as const) {
    made.push(await consistentSnapshot(hostId, `gui-hist-${i}-${token}`, what));
  }
  const again = await service.call('snapshot.start', {
    hostId,
    uuid: agent.uuid,
    name: made[0]!.name,
  });
  expect((await waitForEnd(service, again.opId, RUN_MS)).state).toBe('failed');
  failedOpId = again.opId;
  labVirsh(
    profile.libvirtUri,
    'snapshot-create-as',
    agent.uuid,
    byHand,
    'made with plain virsh',
    '--disk-only',
    '--atomic',
  );
}

useGui({
  prepare,
  // The window connects to the lab meanwhile (the guest is listed already); the history is read
  // when a test opens it.
  connect: (g) => connectLabListing(g.page),
  setup: (g) => {
    gui = g;
  },
  timeoutMs: RUN_MS * 3 + BUSY_WAIT_MS * 2,
});

afterEach(async () => {
  // A test that failed halfway may leave a confirmation open: close it (the history stays).
  const page = gui?.page;
  for (const id of ['history-delete-confirm', 'history-revert-explain', 'chain-merge-confirm']) {
    const open = page?.getByTestId(id);
    if (open && (await open.count()) > 0) {
      await page!.keyboard.press('Escape');
      await open.waitFor({ state: 'detached' }).catch(() => undefined);
    }
  }
});

afterAll(async () => {
  service?.dispose();
  if (profile) cleanLab();
}, RUN_MS);

/**
 * Takes a consistent snapshot through the services, as another workstation's Quiesce would.
 * Other sessions share the lab and may hold the guest (its lock, a freeze, a stopped agent): a
 * refused run is tried again under a fresh name, a little later, until the guest is free.
 */
async function consistentSnapshot(
  hostId: string,
  base: string,
  description: string,
): Promise<{ name: string; description: string; opId: string }> {
  const h = service!;
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    const name = attempt === 1 ? base : `${base}-${attempt}`;
    const { opId } = await h.call('snapshot.start', {
      hostId,
      uuid: agent.uuid,
      name,
      description,
    });
    const summary: OperationSummary = await waitForEnd(h, opId, RUN_MS);
    if (summary.state === 'succeeded') return { name, description, opId };
    const taken = labVirsh(profile.libvirtUri, 'snapshot-list', agent.uuid, '--name');
    if (taken.split('\n').includes(name) || Date.now() > deadline) {
      throw new Error(
        `the snapshot ${name} did not succeed: ${summary.state} ${summary.error?.message ?? ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
  }
}

/**
 * Deletes every snapshot of the lab guests (external ones merge back: libvirt 9.0 can), then the
 * overlay files this run made that no disk uses any more (a merge leaves them on disk).
 */
function cleanLab(): void {
  for (const guest of profile.guests) {
    for (let tries = 1; ; tries++) {
      try {
        deleteAllSnapshots(profile.libvirtUri, guest.uuid);
        break;
      } catch (err) {
        // Another session sharing the lab may be deleting the same snapshots right now.
        if (tries >= 3) throw err;
      }
    }
  }
  const dir = dirname(agent.dataDisk);
  const inUse = new Set(chainFiles());
  for (const f of readdirSync(dir)) {
    if (f.includes(token) && !inUse.has(join(dir, f))) rmSync(join(dir, f), { force: true });
  }
}

/** The agent guest's vda chain, top first, as QEMU's own tool reads it. */
function chainFiles(): string[] {
  const top = /vda\s+(\S+)/.exec(labVirsh(profile.libvirtUri, 'domblklist', agent.uuid))![1]!;
  const out = execFileSync('qemu-img', ['info', '-U', '--backing-chain', '--output=json', top], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { filename: string }[]).map((l) => l.filename);
}

/** The overlay a snapshot put on vda (the file that took the writes made after it), per libvirt. */
function overlayOf(name: string): string {
  const xml = labVirsh(profile.libvirtUri, 'snapshot-dumpxml', agent.uuid, name);
  return /<disk name='vda' snapshot='external'[\s\S]*?<source file='([^']+)'/.exec(xml)![1]!;
}

function snapshotNames(): string[] {
  return labVirsh(profile.libvirtUri, 'snapshot-list', agent.uuid, '--name')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

/** Opens the agent guest's history and waits until its snapshots are read. */
async function openHistory(page: Page): Promise<Locator> {
  await page.getByTestId(`history-open-${agent.name}`).click();
  const dialog = page.getByTestId('history-dialog');
  await dialog.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
  return dialog;
}

/** The dialog if it is open, else opened. */
async function history(page: Page): Promise<Locator> {
  const dialog = page.getByTestId('history-dialog');
  if ((await dialog.count()) > 0) return dialog;
  return openHistory(page);
}

/** Our rows, in the order the list shows them (other sessions' snapshots may sit between). */
async function ourOrder(dialog: Locator): Promise<string[]> {
  const ours = new Set([...made.map((m) => m.name), byHand]);
  const names = await dialog
    .locator('tr.history-row')
    .evaluateAll((rows) =>
      rows.map((r) => r.getAttribute('data-testid')!.slice('history-row-'.length)),
    );
  return names.filter((n) => ours.has(n));
}

/** The chain of vda as the dialog shows it: its number of layers. */
async function layersShown(dialog: Locator): Promise<number> {
  return Number(await dialog.getByTestId('chain-vda').getAttribute('data-layers'));
}

/** Tall enough for the whole history page (it scrolls in the host pane). */
const DIALOG_SHOT = { height: 1900 };

/** The page's scroller back at the top, for a screenshot that starts where the page starts. */
const scrollToTop = (page: Page) =>
  page.evaluate(() => document.querySelector('.main-pane')?.scrollTo(0, 0));

describe('snapshot history', () => {
  it('lists Quiesce’s snapshots with their label and window, and the one made by hand', async () => {
    const { page } = gui;
    const [first, second] = made as [(typeof made)[0], (typeof made)[0]];
    const dialog = await openHistory(page);
    // A page of the host in place of its domain list, not a modal dialog over it.
    expect(await dialog.evaluate((el) => el.tagName)).toBe('SECTION');
    expect(await page.locator('dialog[open]').count()).toBe(0);
    expect(await page.getByTestId(`domain-row-${agent.name}`).isVisible()).toBe(false);
    expect(await dialog.locator('.history-page-title').innerText()).toContain(
      `Snapshot history ${agent.name}`,
    );
    expect(await dialog.getByTestId('history-status').innerText()).toMatch(
      /libvirt 9\.0\.0 · delete merges the overlay · revert by Quiesce’s own procedure \(libvirt’s from 9\.9\)/,
    );

    for (const { name, description } of made) {
      const row = dialog.getByTestId(`history-row-${name}`);
      expect(await row.getAttribute('data-quiesce')).toBe('yes');
      expect(await row.getAttribute('data-label')).toBe('quiesced');
      const cells = await row.locator('td').allInnerTexts();
      expect(cells[0]).toMatch(/\d\d:\d\d:\d\d/);
      expect(cells[1]).toContain(name);
      expect(cells[1]).toContain(description);
      expect(cells[2]).toBe('Quiesced · 1 filesystem');
      expect(cells[3]).toMatch(/^\d[\d,]*(\.\d)? ms$/);
      expect(Number(await row.locator('td').nth(3).getAttribute('data-window-ms'))).toBeGreaterThan(
        0,
      );
      expect(cells[4]).toMatch(/^\d[\d.,]* (bytes|KiB|MiB|GiB)$/);
      expect(cells[5]).toBe(`vda → ${basename(overlayOf(name))}`);
      expect(cells[6]).toMatch(/^.+@.+$/);
    }
    const hand = dialog.getByTestId(`history-row-${byHand}`);
    expect(await hand.getAttribute('data-quiesce')).toBe('no');
    expect(await hand.getAttribute('data-label')).toBe('none');
    const handCells = await hand.locator('td').allInnerTexts();
    expect(handCells[1]).toContain('made with plain virsh');
    expect(handCells[2]).toBe('Not made by Quiesce');
    expect(handCells[3]).toBe('—');
    expect(handCells[6]).toBe('—');

    // Newest first; the focus is on the newest row, and the arrows move it.
    expect(await ourOrder(dialog)).toEqual([byHand, second.name, first.name]);
    const rows = dialog.locator('tr.history-row');
    await expect.poll(() => isFocused(rows.first())).toBe(true);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => isFocused(rows.nth(1))).toBe(true);
    await scrollToTop(page);
    await gui.screenshot('history', DIALOG_SHOT);
    // The page in both themes, and axe-core finds nothing serious or critical on it.
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await scrollToTop(page);
      await gui.screenshot(`ui-history-page-${theme}`);
      expect(await axeViolations(page), `history page, ${theme}`).toEqual([]);
    }
    await setTheme(page, 'system');
    await rows.nth(1).focus();

    // Sort, filter by label, search.
    const sort = dialog.getByTestId('history-sort');
    await sort.selectOption('oldest');
    expect(await ourOrder(dialog)).toEqual([first.name, second.name, byHand]);
    await sort.selectOption('window');
    expect((await ourOrder(dialog)).at(-1)).toBe(byHand);
    await sort.selectOption('newest');

    const label = dialog.getByTestId('history-filter-label');
    await label.selectOption('none');
    expect(await ourOrder(dialog)).toEqual([byHand]);
    await label.selectOption('quiesced');
    expect(await ourOrder(dialog)).toEqual([second.name, first.name]);
    await label.selectOption('all');

    // `/` goes to the search; Escape there clears it first, and only then leaves the page.
    await rows.first().focus();
    await page.keyboard.press('/');
    const search = dialog.getByTestId('history-search');
    await expect.poll(() => isFocused(search)).toBe(true);
    await page.keyboard.type('schema migration');
    await expect.poll(() => ourOrder(dialog)).toEqual([second.name]);
    await page.keyboard.press('Escape');
    expect(await search.inputValue()).toBe('');
    await expect.poll(() => ourOrder(dialog)).toEqual([byHand, second.name, first.name]);

    // Escape returns to the list with the domain's row focused; `h` on the row opens the page
    // again, with the focus on its newest row once read; Back returns the same way.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const domainRow = page.getByTestId(`domain-row-${agent.name}`);
    await expect.poll(() => isFocused(domainRow)).toBe(true);
    await page.keyboard.press('h');
    await dialog.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => isFocused(rows.first())).toBe(true);
    await dialog.getByTestId('history-close').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(domainRow)).toBe(true);
    // Escape goes back also when a click on the page's text left the focus nowhere.
    await page.keyboard.press('h');
    await dialog.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
    await dialog.getByTestId('history-status').click();
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(domainRow)).toBe(true);
    await page.keyboard.press('h');
    await dialog.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
    // Keys typed in the dialog stay there: `s` in the search does not open the snapshot dialog.
    await dialog.getByTestId('history-search').fill('');
    await dialog.getByTestId('history-search').press('s');
    expect(await page.getByTestId('snapshot-dialog').count()).toBe(0);
    await dialog.getByTestId('history-search').press('Backspace');
  });

  it('charts the windows over time and a snapshot’s phases, and says the same in words', async () => {
    const { page } = gui;
    const dialog = await history(page);
    const chart = dialog.getByTestId('history-chart');
    await chart.locator('svg').first().waitFor();
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
    expect(await chart.locator('.win-quiesced .recharts-symbols').count()).toBeGreaterThanOrEqual(
      2,
    );
    const summary = await chart.getByTestId('history-chart-summary').innerText();
    expect(summary).toMatch(/snapshots have a measured blocked-write window, from [\d.,]+ ms to/);
    // The domain's median window as a line across the chart, labelled with the same median.
    const median = /\(median ([\d.,]+ ms)\)/.exec(summary)?.[1];
    expect(median).toBeDefined();
    expect(await chart.locator('.win-median').count()).toBe(1);
    expect(await chart.locator('svg text', { hasText: `median ${median}` }).count()).toBe(1);
    expect(summary).toMatch(/not made by Quiesce: no window was measured/);

    // Selecting a snapshot shows its operation's phases and rings its point.
    const [first] = made;
    await dialog.getByTestId(`history-row-${first!.name}`).click();
    const phases = dialog.getByTestId('history-phase-chart');
    await expect.poll(() => phases.getAttribute('data-op-id')).toBe(first!.opId);
    expect(await dialog.getByTestId('history-phase-op').inputValue()).toBe(first!.opId);
    await phases.locator('.seg-freeze .recharts-rectangle').first().waitFor();
    // A segment per phase that took any time (a phase of under a millisecond draws nothing).
    expect(await phases.locator('.seg .recharts-rectangle').count()).toBeGreaterThanOrEqual(5);
    const words = await phases.getByTestId('history-phase-summary').innerText();
    for (const phase of ['Lock', 'Preflight', 'Freeze', 'Cut', 'Thaw', 'Verify']) {
      expect(words).toMatch(new RegExp(`${phase} \\d+ ms|${phase} \\d+\\.\\d s`));
    }
    expect(words).toMatch(/Total [\d.]+ m?s · window [\d.,]+ ms/);
    expect(await chart.locator('.win-selected .selected-ring').count()).toBe(1);

    // The other one from the list of operations.
    await dialog.getByTestId('history-phase-op').selectOption(made[1]!.opId);
    await expect.poll(() => phases.getAttribute('data-op-id')).toBe(made[1]!.opId);
    await dialog.getByTestId(`history-row-${first!.name}`).click();

    await dialog.locator('.history-charts').scrollIntoViewIfNeeded();
    await dialog
      .locator('.history-charts')
      .screenshot({ path: join(SCREENSHOT_DIR, 'history-chart.png'), animations: 'disabled' });
  });

  it('lists the domain’s failed operations with what went wrong, and shows their phases', async () => {
    const { page } = gui;
    const dialog = await history(page);
    const strip = dialog.getByTestId('history-failed');
    const ours = strip.getByTestId(`history-failed-${failedOpId}`);
    // The newest three show at first; other sessions' failures may have come since.
    if ((await ours.count()) === 0) await strip.getByTestId('history-failed-more').click();
    expect(await ours.getAttribute('data-state')).toBe('failed');
    const said = await ours.innerText();
    expect(said).toContain('Failed');
    expect(said).toContain(made[0]!.name);
    expect(said).toMatch(/no snapshot was taken|failed at/i);
    await ours.getByRole('button', { name: /Phases/ }).click();
    const phases = dialog.getByTestId('history-phase-chart');
    await expect.poll(() => phases.getAttribute('data-op-id')).toBe(failedOpId);
    expect(await phases.getByTestId('history-phase-summary').innerText()).toContain('(failed)');
  });

  it('deletes a snapshot after saying what happens to the disk chain', async () => {
    const { page } = gui;
    const dialog = await history(page);
    const [first, second] = made as [(typeof made)[0], (typeof made)[0]];
    const before = await layersShown(dialog);
    expect(before).toBeGreaterThanOrEqual(4);
    expect(before).toBe(chainFiles().length);

    // Delete on the focused row asks, as the button does.
    expect(await dialog.getByTestId(`history-delete-${second.name}`).isEnabled()).toBe(true);
    await dialog.getByTestId(`history-row-${second.name}`).focus();
    await page.keyboard.press('Delete');
    const confirm = page.getByTestId('history-delete-confirm');
    await confirm.waitFor();
    const text = (await confirm.innerText()).replace(/\s+/g, ' ');
    const secondOverlay = overlayOf(second.name);
    expect(text).toContain(`Delete the snapshot “${second.name}”?`);
    // The second snapshot's overlay merges into the first one's (its backing file).
    expect(text).toContain(
      `vda: the overlay ${overlayOf(second.name)} that holds the writes made after ${second.name} is merged into ${overlayOf(first.name)}.`,
    );
    expect(text).toContain(`The chain goes from ${before} to ${before - 1} layers.`);
    expect(text).toContain('The data stays');
    expect(text).toMatch(new RegExp(`The point in time ${second.name} \\(.+\\) is gone`));
    // The safe choice has the focus.
    await expect.poll(() => isFocused(confirm.getByTestId('history-delete-cancel'))).toBe(true);
    await gui.screenshot('history-delete-confirm', { height: 1100 });

    await confirm.getByTestId('history-delete-yes').click();
    await confirm.waitFor({ state: 'detached', timeout: RUN_MS });
    await dialog.getByTestId('history-deleted').waitFor();
    await dialog.getByTestId(`history-row-${second.name}`).waitFor({ state: 'detached' });
    expect(await dialog.getByTestId('history-action-error').count()).toBe(0);
    expect(snapshotNames()).not.toContain(second.name);
    expect(await ourOrder(dialog)).toEqual([byHand, first.name]);
    // Its overlay left the chain: one layer fewer (unless another session cut one meanwhile).
    expect(chainFiles()).not.toContain(secondOverlay);
    await expect.poll(() => layersShown(dialog)).toBe(chainFiles().length);
    // Keyboard-first: the focus is back on the list.
    await expect.poll(() => isFocused(dialog.locator('tr.history-row[tabindex="0"]'))).toBe(true);
  });

  it('on libvirt 9.0 Revert asks first, saying what stops and what is kept, and runs nothing until confirmed', async () => {
    const { page } = gui;
    const dialog = await history(page);
    const [first] = made;
    const callsBefore = gui.calls.length;
    // `r` on a focused row, as the keyboard hint says: Quiesce's own revert (libvirt 9.0 cannot).
    await dialog.getByTestId(`history-row-${first!.name}`).focus();
    await page.keyboard.press('r');
    const confirm = page.getByTestId('quiesce-revert-confirm');
    const text = confirm.getByTestId('quiesce-revert-text');
    await text.waitFor({ timeout: 60_000 });
    const said = await text.innerText();
    expect(said).toMatch(/What stops\./);
    expect(said).toMatch(/What is kept\.[\s\S]*Nothing is deleted/);
    expect(said).toContain(first!.name);
    expect(await confirm.getByTestId('quiesce-revert-force').isChecked()).toBe(false);
    await gui.screenshot('history-revert-asks', { height: 1100 });

    // libvirt's own revert, asked for anyway, still says why not and how by hand.
    const err = await service!.callError('history.revert', {
      hostId: serviceHostId,
      uuid: agent.uuid,
      name: first!.name,
    });
    expect(err.message).toMatch(/not supported by libvirt 9\.0/);
    expect(err.remedy).toContain(`virsh shutdown --domain ${agent.name}`);

    // Nothing was started from the window; Escape closes only the confirmation.
    const started = gui.calls.slice(callsBefore);
    expect(started).not.toContain('revert.start');
    expect(started).not.toContain('history.revert');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await dialog.isVisible()).toBe(true);
    expect(labVirsh(profile.libvirtUri, 'domstate', agent.uuid)).toMatch(/running/);
  });

  it('merges the chain into the base image with its progress; the list is then empty', async () => {
    const { page } = gui;
    const dialog = await history(page);
    const layers = await layersShown(dialog);
    expect(layers).toBeGreaterThanOrEqual(3);

    await dialog.getByTestId('chain-merge').click();
    const confirm = page.getByTestId('chain-merge-confirm');
    await confirm.waitFor();
    const text = (await confirm.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(`vda: ${layers} layers → 1.`);
    expect(text).toContain(`folded into the base image ${agent.dataDisk}`);
    expect(text).toContain(made[0]!.name);
    expect(text).toContain(byHand);
    expect(text).toContain('are folded into the base image and removed from the list');
    expect(text).toContain('The data stays');
    await expect.poll(() => isFocused(confirm.getByTestId('chain-merge-cancel'))).toBe(true);
    await gui.screenshot('history-merge-confirm', { height: 1100 });

    await confirm.getByTestId('chain-merge-yes').click();
    await confirm.waitFor({ state: 'detached' });
    const progress = dialog.getByTestId('merge-progress');
    await progress.waitFor({ timeout: RUN_MS });
    await dialog.getByTestId('history-merged').waitFor({ timeout: RUN_MS * 2 });
    expect(await progress.getAttribute('data-state')).toBe('done');
    expect(
      await progress.locator('.disk-progress-line[data-target="vda"]').getAttribute('data-percent'),
    ).toBe('100');
    const merged = await dialog.getByTestId('history-merged').innerText();
    expect(merged).toContain(made[0]!.name);
    expect(merged).toContain(byHand);
    await expect.poll(() => ourOrder(dialog), { timeout: 60_000 }).toEqual([]);
    const ours = [...made.map((m) => m.name), byHand];
    expect(snapshotNames().filter((n) => ours.includes(n))).toEqual([]);
    expect(chainFiles().filter((f) => f.includes(token))).toEqual([]);
    // Alone on the lab (the usual case) the list is empty and the disk is its base image again;
    // another session may have cut a snapshot of the guest since the merge.
    if (snapshotNames().length === 0) {
      await dialog.getByTestId('history-empty').waitFor({ timeout: 60_000 });
      await expect.poll(() => layersShown(dialog)).toBe(1);
      expect(await dialog.getByTestId('chain-merge').isDisabled()).toBe(true);
      expect(chainFiles()).toEqual([agent.dataDisk]);
    }
    await scrollToTop(page);
    await gui.screenshot('history-merged', DIALOG_SHOT);
  });
});
