/**
 * Quiesce's own revert and the restore test as the admin uses them, against the real lab on
 * libvirt 9.0: the confirmation (what stops, what is kept, what the guest becomes), the phases
 * while it runs, the discarded branch in the history, a restore test's verdict, and that verdict
 * kept on the host and listed under the next test, each with a screenshot. The agent guest is put back exactly as it was found (test/support/agent-guest-restore.ts).
 */
import { afterAll, expect, it } from 'vitest';
import { readLabProfile, guestExec, type LabGuest, type LabProfile } from '../lab/lab';
import { connectedLabSession, type serviceHarness } from '../support/service-harness';
import { waitForEnd } from '../support/snapshot-helpers';
import { captureAgentGuest, type AgentGuestSnapshot } from '../support/agent-guest-restore';
import { connectLabListing, useGui, type Gui } from './harness';

let profile: LabProfile;
let agent: LabGuest;
let gui: Gui;
let service: ReturnType<typeof serviceHarness> | undefined;
let found: AgentGuestSnapshot | undefined;
const name = `gui-rv-${Date.now().toString(36)}`;
const RUN_MS = 240_000;

const markers = async () =>
  (await guestExec(agent.name, '/bin/sh', ['-c', 'cat /data/marker-* 2>/dev/null'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);

useGui({
  timeoutMs: RUN_MS,
  prepare: async () => {
    profile = readLabProfile();
    agent = profile.guests.find((x) => x.role === 'agent')!;
    found = await captureAgentGuest(profile.libvirtUri, agent.uuid, agent.name);
    const session = await connectedLabSession();
    service = session.h;
    await guestExec(agent.name, '/bin/sh', ['-c', 'echo marker 1 > /data/marker-1; sync']);
    const { opId } = await service.call('snapshot.start', {
      hostId: session.hostId,
      uuid: agent.uuid,
      name,
    });
    expect((await waitForEnd(service, opId, RUN_MS)).state).toBe('succeeded');
    await guestExec(agent.name, '/bin/sh', ['-c', 'echo marker 2 > /data/marker-2; sync']);
  },
  // The window connects while the snapshot is made: the guest is listed already.
  connect: (g) => connectLabListing(g.page),
  setup: (g) => {
    gui = g;
  },
});

afterAll(async () => {
  service?.dispose();
  await found?.restore();
}, RUN_MS);

it(
  'reverts through the confirmation and its phases, lists the branch, and tests a restore',
  async () => {
    const { page } = gui;
    await page.getByTestId(`history-open-${agent.name}`).click();
    const dialog = page.getByTestId('history-dialog');
    await dialog.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
    await dialog.getByTestId(`history-revert-${name}`).click();

    const confirm = page.getByTestId('quiesce-revert-confirm');
    const text = confirm.getByTestId('quiesce-revert-text');
    await text.waitFor({ timeout: 60_000 });
    const said = await text.innerText();
    expect(said).toMatch(/What stops\.[\s\S]*shut down/);
    expect(said).toMatch(/What is kept\.[\s\S]*Nothing is deleted/);
    expect(said).toMatch(new RegExp(`What the guest will look like\\.[\\s\\S]*${name}`));
    expect(await confirm.getByTestId('quiesce-revert-force').isChecked()).toBe(false);
    await gui.screenshot('revert-confirm', { height: 1100 });

    await confirm.getByTestId('quiesce-revert-yes').click();
    const progress = page.getByTestId('quiesce-revert-progress');
    await progress.locator('li[data-phase="stop"]').waitFor({ timeout: 60_000 });
    await gui.screenshot('revert-progress', { height: 1100 });
    const outcome = progress.getByTestId('quiesce-revert-outcome');
    await outcome.waitFor({ timeout: RUN_MS });
    expect(await outcome.innerText()).toMatch(/^Reverted\./);
    expect(
      await progress
        .locator('li[data-status="done"]')
        .evaluateAll((l) => l.map((x) => x.getAttribute('data-phase'))),
    ).toEqual([
      'lock',
      'settle',
      'preflight',
      'prepare',
      'stop',
      'switch',
      'branch',
      'current',
      'start',
      'verify',
    ]);
    await gui.screenshot('revert-done', { height: 1100 });
    await progress.getByTestId('quiesce-revert-close').click();

    const row = dialog.getByTestId('branch-row');
    await row.waitFor({ timeout: 60_000 });
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain(name);
    expect(await dialog.getByTestId('branch-current').innerText()).toContain(name);
    await row.scrollIntoViewIfNeeded();
    await gui.screenshot('revert-branch-in-history', { height: 1400 });
    expect(await markers()).toEqual(['marker 1']);

    await dialog.getByTestId(`history-row-${name}`).click();
    const start = dialog.getByTestId('restore-test-start');
    expect(await start.innerText()).toContain(name);
    await start.click();
    const result = dialog.locator('[data-testid="restore-test-result"][data-state="succeeded"]');
    await result.waitFor({ timeout: RUN_MS });
    expect(await result.innerText()).toMatch(
      /Restorable — booted in [\d.]+ s, agent answered, \d+ filesystems? mounted clean\./,
    );
    await result.scrollIntoViewIfNeeded();
    await gui.screenshot('restore-test-result', { height: 1400 });

    // a second test: the first one's result is now read back from the host (restore.list)
    await start.click();
    const kept = dialog.locator('[data-testid="restore-test-kept-row"][data-state="succeeded"]');
    await kept.first().waitFor({ timeout: 60_000 });
    expect(await kept.first().innerText()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d Restorable — booted in [\d.]+ s, agent answered/,
    );
    await kept.first().scrollIntoViewIfNeeded();
    await gui.screenshot('restore-test-kept', { height: 1400 });
    await result.waitFor({ timeout: RUN_MS }); // the second clone is gone before the teardown
  },
  RUN_MS * 2,
);
