/**
 * A window far above the domain's usual one is flagged in the snapshot dialog, against the lab's
 * agent guest: five ordinary snapshots taken through the services (as another workstation's
 * Quiesce would) make the domain's median, then one from the window with the guest held frozen
 * for 2.5 s (test-only fault injection) is far above it — 3× the median and +500 ms — and the
 * dialog says so with both numbers. Every snapshot this file made is deleted afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readLabProfile, type LabGuest, type LabProfile } from '../lab/lab';
import { connectedLabSession } from '../support/service-harness';
import { labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { connectLab, useGui, waitForLevels, type Gui } from './harness';

const RUN_MS = 90_000;
const HOLD_MS = 2_500;
const token = Date.now().toString(36);
let profile: LabProfile;
let agent: LabGuest;
let gui: Gui;
const names: string[] = [];

useGui({
  start: { service: { holdFrozenMs: HOLD_MS } },
  prepare: async () => {
    profile = readLabProfile();
    agent = profile.guests.find((x) => x.role === 'agent')!;
    const { h, hostId } = await connectedLabSession();
    try {
      // Five that succeed (another session sharing the lab may hold the guest a while: a
      // refused run is tried again, a little later).
      const deadline = Date.now() + 240_000;
      for (let i = 0, attempt = 0; i < 5; attempt++) {
        const name = `gui-usual-${token}-${attempt}`;
        names.push(name);
        const { opId } = await h.call('snapshot.start', { hostId, uuid: agent.uuid, name });
        const end = await waitForEnd(h, opId, RUN_MS);
        if (end.state === 'succeeded' && typeof end.windowMs === 'number') i++;
        else if (Date.now() > deadline) throw new Error(`no usual snapshot: ${end.state}`);
        else await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
      }
    } finally {
      h.dispose();
    }
  },
  // The window connects while the usual snapshots are made (the test waits for the guest to
  // be ready before its own).
  connect: (g) => connectLab(g.page, readLabProfile()),
  setup: (g) => {
    gui = g;
  },
  timeoutMs: RUN_MS * 4,
});

afterAll(() => {
  // The snapshots this file made, children first, so the lab stays as found.
  if (!profile) return;
  const listed = labVirsh(
    profile.libvirtUri,
    'snapshot-list',
    agent.uuid,
    '--name',
    '--topological',
  )
    .split('\n')
    .map((n) => n.trim())
    .filter((n) => names.includes(n))
    .reverse();
  for (const n of listed)
    labVirsh(profile.libvirtUri, 'snapshot-delete', '--domain', agent.uuid, '--snapshotname', n);
});

describe('a window far above the domain’s median', () => {
  it('is flagged in the snapshot dialog with the window and the median', async () => {
    const { page } = gui;
    await waitForLevels(page, { [agent.name]: 'ready' });
    const deadline = Date.now() + 240_000;
    let flagged;
    for (let attempt = 0; ; attempt++) {
      const name = `gui-slow-${token}-${attempt}`;
      names.push(name);
      await page.getByTestId(`snapshot-open-${agent.name}`).click();
      const dialog = page.getByTestId('snapshot-dialog');
      await dialog.getByTestId('snapshot-name').fill(name);
      await dialog.getByTestId('snapshot-max-freeze').fill('60');
      await dialog.getByTestId('snapshot-submit').click();
      const result = dialog.getByTestId('snapshot-result');
      await result.waitFor({ timeout: RUN_MS });
      if ((await result.getAttribute('data-label')) === 'quiesced') {
        const windowMs = Number(
          await dialog.getByTestId('snapshot-window').getAttribute('data-window-ms'),
        );
        expect(windowMs).toBeGreaterThanOrEqual(HOLD_MS);
        flagged = dialog.getByTestId('slow-window');
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`the held snapshot did not succeed: ${await result.innerText()}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.waitForTimeout(1000 + Math.random() * 2000);
    }
    await flagged.waitFor({ timeout: 30_000 });
    expect(await flagged.innerText()).toMatch(
      /^Guest writes were held for [\d,]+ ms, far above this domain’s median of [\d.,]+ ms \(over its \d+ other snapshots/,
    );
    await gui.screenshot('snapshot-slow-window', { height: 1200 });
  });
});
