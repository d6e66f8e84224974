/**
 * The main screen at scale, as the GUI tier sees it: the lab's 200-domain test-driver host one
 * line a domain (at least 15 rows in sight at 1280×800), the readiness chips with their counts,
 * sorting, the keyboard through a list that draws only what is in sight, a 1000-domain host, the
 * dark theme, and axe-core's check of each main screen (no serious or critical violation).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabProfile, testDomains, type LabProfile } from '../lab/lab';
import { testNodeXml } from '../lab/test-driver';
import {
  allDomainRows,
  axeViolations,
  connectHost,
  selectHost,
  setTheme,
  startGui,
  useGui,
  visibleDomainRows,
  type Gui,
} from './harness';

let profile: LabProfile;
let gui: Gui;

useGui({
  setup: async (g) => {
    gui = g;
    profile = readLabProfile();
    await connectHost(gui.page, profile, {
      name: 'lab-test-driver',
      libvirtUri: profile.testDriverUri,
    });
    await gui.page
      .locator(`[data-testid="domain-count"]:text-is("${profile.testDriverDomains}")`)
      .waitFor({ timeout: 60_000 });
  },
  timeoutMs: 120_000,
});

/** The readiness level the test driver's fixed mix gives each domain. */
function expectedLevels(count: number): Map<string, string> {
  return new Map(
    testDomains(count).map((d) => [
      d.name,
      d.state === 'paused'
        ? 'paused'
        : d.state === 'shut off'
          ? 'not-running'
          : d.agentChannel
            ? 'agent-not-connected'
            : 'no-channel',
    ]),
  );
}

const focusedRow = (gui: Gui) =>
  gui.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');

describe('the 200-domain host', () => {
  it('shows one line a domain, at least 15 in sight at 1280×800, light and dark', async () => {
    const { page } = gui;
    await page.evaluate(() => document.querySelector('.main-pane')!.scrollTo(0, 0));
    await page.locator('tr.domain-row').first().waitFor();
    // Every row is one line: the same height, whatever its name or readiness says.
    const heights = await page.$$eval('tr.domain-row', (trs) =>
      trs.map((tr) => Math.round(tr.getBoundingClientRect().height)),
    );
    expect(new Set(heights).size).toBe(1);
    expect(heights[0]).toBeLessThanOrEqual(34);
    await gui.screenshot('ui-200-domains-first-view');
    const inSight = await visibleDomainRows(page);
    console.log(`ui: ${inSight} domain rows in sight at 1280×800 on the 200-domain host`);
    expect(inSight).toBeGreaterThanOrEqual(15);
    // The list draws what is in sight and a margin, not the 200.
    expect(await page.locator('tr.domain-row').count()).toBeLessThan(80);
    await setTheme(page, 'light');
    await gui.screenshot('ui-200-domains-light');
    expect(await axeViolations(page)).toEqual([]);

    await setTheme(page, 'dark');
    const background = await page.evaluate(
      () => getComputedStyle(document.documentElement).backgroundColor,
    );
    expect(background).toBe('rgb(20, 24, 30)');
    await gui.screenshot('ui-200-domains-dark');
    expect(await axeViolations(page)).toEqual([]);
    // The choice is kept across a reload.
    await page.reload();
    await page.getByTestId('add-host').waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await setTheme(page, 'system');
    await selectHost(page, 'lab-test-driver');
    await page
      .locator(`[data-testid="domain-count"]:text-is("${profile.testDriverDomains}")`)
      .waitFor({ timeout: 60_000 });
  });

  it('counts each readiness on its chip, and a chip shows only its domains', async () => {
    const { page } = gui;
    const want = expectedLevels(profile.testDriverDomains);
    const count = (level: string) => [...want.values()].filter((l) => l === level).length;
    const chips = await page.$$eval('[data-testid^="readiness-chip-"][data-level]', (els) =>
      els.map((el) => [el.getAttribute('data-level'), Number(el.getAttribute('data-count'))]),
    );
    expect(chips).toEqual([
      ['agent-not-connected', count('agent-not-connected')],
      ['no-channel', count('no-channel')],
      ['paused', count('paused')],
      ['not-running', count('not-running')],
    ]);
    // Each chip carries the rung's icon and words, not colour alone.
    const paused = page.getByTestId('readiness-chip-paused');
    expect(await paused.locator('svg.readiness-icon').count()).toBe(1);
    expect(await paused.innerText()).toMatch(/paused\s+\d+/);

    await paused.click();
    expect(await paused.getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(async () => [...(await allDomainRows(page)).values()].map((r) => r.level))
      .toEqual(Array(count('paused')).fill('paused'));
    expect(await page.getByTestId('domain-count').innerText()).toBe(
      `${count('paused')} of ${want.size}`,
    );
    await gui.screenshot('ui-chip-paused');
    await page.getByTestId('readiness-chip-all').click();
    await expect.poll(async () => (await allDomainRows(page)).size).toBe(want.size);
  });

  it('sorts by a column on a click, the other way on the next', async () => {
    const { page } = gui;
    const head = page.getByTestId('sort-readiness');
    await head.click();
    const th = page.locator('th', { has: head });
    expect(await th.getAttribute('aria-sort')).toBe('ascending');
    const order = [...(await allDomainRows(page)).values()].map((r) => r.level);
    // Ascending readiness runs from the most urgent: the agents to set up before the idle ones.
    expect(order.indexOf('not-running')).toBeGreaterThan(order.lastIndexOf('no-channel'));
    await head.click();
    expect(await th.getAttribute('aria-sort')).toBe('descending');
    const back = [...(await allDomainRows(page)).values()].map((r) => r.level);
    expect(back[0]).toBe('not-running');
    await page.getByTestId('sort-name').click();
    expect(
      await page.locator('th', { has: page.getByTestId('sort-name') }).getAttribute('aria-sort'),
    ).toBe('ascending');
  });

  it('moves through the whole list with the keyboard, drawing rows as it goes', async () => {
    const { page } = gui;
    const names = [...(await allDomainRows(page)).keys()];
    const last = names.at(-1)!;
    await page.evaluate(() => document.querySelector('.main-pane')!.scrollTo(0, 0));
    await page.getByTestId(`domain-row-${names[0]}`).focus();
    await page.keyboard.press('End');
    await expect.poll(() => focusedRow(gui)).toBe(`domain-row-${last}`);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => focusedRow(gui)).toBe(`domain-row-${names.at(-2)}`);
    await page.keyboard.press('PageUp');
    await expect.poll(() => focusedRow(gui)).not.toBe(`domain-row-${names.at(-2)}`);
    await page.keyboard.press('Home');
    await expect.poll(() => focusedRow(gui)).toBe(`domain-row-${names[0]}`);
    // `e` opens the focused domain's details: its UUID and the why behind its badge.
    await page.keyboard.press('e');
    const uuid = testDomains(profile.testDriverDomains).find((d) => d.name === names[0])!.uuid;
    expect(await page.getByTestId(`domain-uuid-${names[0]}`).innerText()).toBe(uuid);
    await page.keyboard.press('e');
    await page.getByTestId(`domain-uuid-${names[0]}`).waitFor({ state: 'detached' });
  });
});

/** axe-core on the page as it is now, in both themes; a screenshot of each. */
async function checkScreen(name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(gui.page, theme);
    await gui.screenshot(`ui-axe-${name}-${theme}`);
    const found = await axeViolations(gui.page);
    expect(found, `${name}, ${theme}`).toEqual([]);
  }
  await setTheme(gui.page, 'system');
}

describe('accessibility of every main screen (axe-core)', () => {
  it('finds no serious or critical violation on the start, host, dialogs and settings', async () => {
    const { page } = gui;
    // The start screen and the add-host form, in a shell of their own with no host yet.
    const own = await startGui();
    try {
      // The first screen's JavaScript, as the page itself counts what it loaded (docs/ui.md).
      const firstScreenBytes = await own.page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.endsWith('.js'))
          .reduce((sum, e) => sum + (e as PerformanceResourceTiming).decodedBodySize, 0),
      );
      console.log(
        `ui: the first screen loaded ${Math.round(firstScreenBytes / 1024)} KB of JavaScript`,
      );
      expect(firstScreenBytes).toBeGreaterThan(0);
      expect(firstScreenBytes).toBeLessThanOrEqual(400 * 1024);
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(own.page, theme);
        expect(await axeViolations(own.page), `start, ${theme}`).toEqual([]);
        await own.page.getByTestId('add-host').click();
        await own.page.getByTestId('host-form').waitFor();
        expect(await axeViolations(own.page), `add host, ${theme}`).toEqual([]);
        await own.screenshot(`ui-axe-add-host-${theme}`);
        await own.page.keyboard.press('Escape');
        await own.page.getByTestId('host-form').waitFor({ state: 'detached' });
      }
      expect(own.pageErrors).toEqual([]);
    } finally {
      await own.close();
    }

    await selectHost(page, 'lab-test-driver');
    const name = [...(await allDomainRows(page)).keys()][0]!;
    await checkScreen('host-page');

    // Each dialog a row opens, with the keyboard: Tab stops on the row, then its keys.
    const row = page.getByTestId(`domain-row-${name}`);
    for (const [key, testId] of [
      ['s', 'snapshot-dialog'],
      ['d', 'doctor'],
      ['h', 'history-dialog'],
    ] as const) {
      await row.focus();
      await page.keyboard.press(key);
      const dialog = page.getByTestId(testId);
      await dialog.waitFor();
      // Let the dialog read what it reads before judging it.
      await gui.settled();
      await checkScreen(testId);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    }

    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-dialog').waitFor();
    await checkScreen('settings');
    await page.keyboard.press('Escape');
    await page.getByTestId('settings-dialog').waitFor({ state: 'detached' });
  });
});

describe('a 1000-domain host', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists all 1000 and scrolls through them drawing only what is in sight', async () => {
    const { page } = gui;
    // A test-driver node of 1000 domains, readable by the lab's SSH user.
    dir = mkdtempSync(join(tmpdir(), 'quiesce-ui-1000-'));
    chmodSync(dir, 0o755);
    const node = join(dir, 'node.xml');
    writeFileSync(node, testNodeXml(testDomains(1000)), { mode: 0o644 });
    const t0 = Date.now();
    await connectHost(page, profile, { name: 'lab-1000', libvirtUri: `test://${node}` });
    await expect
      .poll(() => page.getByTestId('domain-count').textContent(), { timeout: 120_000 })
      .toBe('1000');
    console.log(`ui: the 1000-domain list was on screen ${Date.now() - t0} ms after Connect`);
    // Scroll from top to bottom in steps, timing every frame and counting the drawn rows.
    const run = await page.evaluate(async () => {
      const pane = document.querySelector('.main-pane')!;
      pane.scrollTo(0, 0);
      const frames: number[] = [];
      let drawnMax = 0;
      let last = performance.now();
      while (pane.scrollTop + pane.clientHeight < pane.scrollHeight - 1) {
        pane.scrollBy(0, 400);
        await new Promise((r) => requestAnimationFrame(() => r(undefined)));
        const now = performance.now();
        frames.push(now - last);
        last = now;
        drawnMax = Math.max(drawnMax, document.querySelectorAll('tr.domain-row').length);
      }
      frames.sort((a, b) => a - b);
      return {
        steps: frames.length,
        p95: frames[Math.floor(frames.length * 0.95)] ?? 0,
        drawnMax,
      };
    });
    console.log(
      `ui: 1000 domains scrolled in ${run.steps} steps, frame p95 ${run.p95.toFixed(1)} ms, at most ${run.drawnMax} rows drawn`,
    );
    expect(run.drawnMax).toBeLessThan(80);
    expect((await allDomainRows(page)).size).toBe(1000);
    expect(await axeViolations(page)).toEqual([]);
  });
});
