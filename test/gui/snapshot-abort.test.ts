/**
 * A snapshot in progress as the admin watches it, against the lab's agent guest: while the guest
 * is frozen, the countdown to the watchdog's thaw and "Abort and thaw", which thaws the guest at
 * once; the outcome then says the snapshot is not quiesced. The runner is held frozen (test-only
 * fault injection) so there is time to look; screenshots light and dark.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readLabProfile, type LabProfile } from '../lab/lab';
import { fsfreezeStatus, labVirsh } from '../support/snapshot-helpers';
import {
  axeViolations,
  connectHost,
  labGuestNames,
  setTheme,
  useGui,
  waitForLevels,
  type Gui,
} from './harness';

let profile: LabProfile;
let gui: Gui;
let agent: string;
const names: string[] = [];

useGui({
  start: { service: { holdFrozenMs: 25_000 } },
  setup: async (g) => {
    gui = g;
    profile = readLabProfile();
    ({ agent } = labGuestNames(profile));
    await connectHost(gui.page, profile, { name: 'lab-abort', libvirtUri: profile.libvirtUri });
  },
  timeoutMs: 120_000,
});

afterAll(() => {
  // The snapshots this file made, children first, so the lab stays as found.
  const listed = labVirsh(profile.libvirtUri, 'snapshot-list', agent, '--name', '--topological')
    .split('\n')
    .filter((n) => names.includes(n))
    .reverse();
  for (const name of listed) labVirsh(profile.libvirtUri, 'snapshot-delete', agent, name);
});

describe('a snapshot in progress', () => {
  it('counts down to the watchdog’s thaw, and Abort and thaw thaws the guest now', async () => {
    const { page } = gui;
    await waitForLevels(page, { [agent]: 'ready' });
    // Another run sharing the lab may hold the guest's lock a while: start again until ours runs.
    const deadline = Date.now() + 240_000;
    let countdown;
    for (;;) {
      const name = `gui-abort-${Date.now().toString(36)}`;
      names.push(name);
      await page.getByTestId(`snapshot-open-${agent}`).click();
      const dialog = page.getByTestId('snapshot-dialog');
      await dialog.getByTestId('snapshot-name').fill(name);
      await dialog.getByTestId('snapshot-max-freeze').fill('60');
      await dialog.getByTestId('snapshot-submit').click();
      countdown = dialog.getByTestId('watchdog-countdown');
      const result = dialog.getByTestId('snapshot-result');
      await countdown.or(result).first().waitFor({ timeout: 90_000 });
      if (await countdown.isVisible()) break;
      const said = await result.innerText();
      if (!/failed at “lock”|already frozen/.test(said) || Date.now() > deadline)
        throw new Error(`the snapshot did not get to the freeze: ${said}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.waitForTimeout(1000 + Math.random() * 2000);
    }
    const dialog = page.getByTestId('snapshot-dialog');
    // Seconds left, under the 60 s chosen, and going down.
    const left = async () =>
      Number(await countdown.locator('[data-seconds-left]').getAttribute('data-seconds-left'));
    const first = await left();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(60);
    await expect.poll(left).toBeLessThan(first);
    expect(await countdown.innerText()).toMatch(/The watchdog thaws the guest in \d+ s/);
    expect(fsfreezeStatus(profile.libvirtUri, agent)).toBe('frozen');
    await gui.screenshot('ui-snapshot-countdown-light', { height: 1100 });
    await setTheme(page, 'dark');
    await gui.screenshot('ui-snapshot-countdown-dark', { height: 1100 });
    expect(await axeViolations(page)).toEqual([]);
    await setTheme(page, 'light');

    await countdown.getByTestId('abort-thaw').click();
    const thawed = page.getByTestId('abort-thaw-result');
    await thawed.waitFor({ timeout: 60_000 });
    expect(await thawed.innerText()).toMatch(new RegExp(`${agent} thawed: \\d+ filesystems?`));
    expect(fsfreezeStatus(profile.libvirtUri, agent)).toBe('thawed');
    await gui.screenshot('ui-snapshot-aborted', { height: 1100 });

    // The run goes on to its end; whatever it became, it is not called quiesced.
    const result = dialog.getByTestId('snapshot-result');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.getAttribute('data-label')).not.toBe('quiesced');
    await gui.screenshot('ui-snapshot-abort-outcome', { height: 1100 });
  });
});
