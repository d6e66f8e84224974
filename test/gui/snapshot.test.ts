/**
 * Consistent snapshots as the admin takes them, against the real lab: a quiesced snapshot of the
 * guest whose agent answers, a refusal and a crash-consistent snapshot of the guest whose agent
 * is not started, a name the form refuses before anything is sent, the live "writes held" counter
 * during a longer freeze, and the host's recent operations. Every snapshot these tests take is
 * deleted after each test, so the lab stays as it was found. Only those: other sessions share
 * the lab, and deleting their snapshots in the middle of their tests breaks them.
 */
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readLabProfile, type LabProfile } from '../lab/lab';
import { runnerPid } from '../support/lab-operations';
import { connectedLabSession } from '../support/service-harness';
import { fsfreezeStatus, labVirsh, waitForEnd } from '../support/snapshot-helpers';
import {
  connectHost,
  connectLab,
  labGuestNames,
  startGui,
  useGui,
  waitForLevels,
  type Gui,
} from './harness';

let profile: LabProfile;
let gui: Gui;
let agent: string;
let noAgent: string;

const PHASES = [
  'lock',
  'preflight',
  'prepare',
  'arm',
  'freeze',
  'cut',
  'thaw',
  'disarm',
  'metadata',
  'verify',
] as const;

/** A snapshot name no other run of this suite (or another session) will have used. */
const unique = (what: string) => {
  const name = `gui-${what}-${Date.now().toString(36)}`;
  taken.add(name);
  return name;
};
/** Every snapshot name this run has used: what the clean-up deletes. */
const taken = new Set<string>();
/** The names this suite gives, with the time they were made (base 36 ms). */
const OURS = /^gui-(quiesced|refused|crash|held|lost)-([0-9a-z]{8,})$/;
/** A leftover of an earlier run of this suite (one that died before its clean-up) after this long. */
const STALE_MS = 30 * 60_000;

/** A whole run on two TCG cores shared with other sessions can take a while. */
const RUN_MS = 120_000;
/** How long another session's operations may keep a lab guest busy before a test gives up. */
const LOCK_WAIT_MS = 120_000;
/** For the tests that run snapshots: the runs, plus waiting for a busy guest. */
const RUN_TEST_MS = RUN_MS + LOCK_WAIT_MS;

useGui({
  setup: async (g) => {
    gui = g;
    profile = readLabProfile();
    ({ agent, noAgent } = labGuestNames(profile));
    deleteLabSnapshots();
    await connectLab(gui.page, profile, { [agent]: 'ready', [noAgent]: 'agent-not-connected' });
  },
});

afterAll(() => {
  if (profile) deleteLabSnapshots();
});

afterEach(async () => {
  try {
    // Each test starts from the host page, whatever the last one left open.
    const dialog = gui?.page.getByTestId('snapshot-dialog');
    if (dialog && (await dialog.count()) > 0) {
      await gui.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    }
  } finally {
    if (profile) deleteLabSnapshots();
  }
});

/** virsh on the lab's libvirtd, as root on this machine: "from outside" the app. */
const virsh = (...args: string[]) => labVirsh(profile.libvirtUri, '-q', ...args);

function snapshotNames(domain: string): string[] {
  return virsh('snapshot-list', domain, '--name').split('\n').filter(Boolean);
}

/** A snapshot this run took, or one an earlier run of this suite left behind long ago. */
function isOurs(name: string): boolean {
  if (taken.has(name)) return true;
  const stamp = OURS.exec(name)?.[2];
  return stamp !== undefined && Date.now() - parseInt(stamp, 36) > STALE_MS;
}

/**
 * Deletes the lab guests' snapshots this suite took, children first (external snapshots merge
 * back into their backing files), so the lab stays as found.
 */
function deleteLabSnapshots(): void {
  for (const guest of profile.guests) {
    const names = virsh('snapshot-list', guest.uuid, '--name', '--topological')
      .split('\n')
      .filter(isOurs)
      .reverse();
    for (const name of names) {
      try {
        virsh('snapshot-delete', guest.uuid, name);
      } catch (err) {
        // Another session sharing the lab may have deleted it a moment ago: that is fine.
        if (!/not found|no domain snapshot/i.test(String((err as { stderr?: unknown }).stderr))) {
          throw err;
        }
      }
    }
  }
}

/** Opens the snapshot dialog of a domain with its row's button. */
async function openDialog(page: Page, domain: string): Promise<Locator> {
  await page.getByTestId(`snapshot-open-${domain}`).click();
  const dialog = page.getByTestId('snapshot-dialog');
  await dialog.getByTestId('snapshot-form').waitFor();
  return dialog;
}

/**
 * Opens the dialog of `domain` again and submits `snapshot` (with `policy` chosen, where the test
 * chose one): a run refused while the guest was busy.
 */
const submitAgain =
  (page: Page, domain: string, snapshot: string, policy?: 'require' | 'allow') => async () => {
    const next = await openDialog(page, domain);
    if (policy) await next.getByTestId(`snapshot-policy-${policy}`).check();
    await next.getByTestId('snapshot-name').fill(snapshot);
    await next.getByTestId('snapshot-submit').click();
    return next;
  };

/** Waits for the run in `scope` to end and returns its result card. */
async function resultIn(scope: Locator, timeout = RUN_MS): Promise<Locator> {
  const result = scope.getByTestId('snapshot-result');
  await result.waitFor({ timeout });
  return result;
}

/** The operation id the dialog follows (for the operations list). */
const opIdIn = async (scope: Locator) =>
  (await scope.locator('.op-view').getAttribute('data-op-id')) ?? '';

async function phaseStatuses(scope: Locator): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const phase of PHASES) {
    out[phase] = await scope.getByTestId(`phase-${phase}`).getAttribute('data-status');
  }
  return out;
}

/**
 * Waits until the run in the dialog has got past the domain lock (and, with `frozenElsewhere`,
 * past a guest someone froze from outside). Other sessions sharing the lab may be snapshotting
 * or freezing the same guest: the runner then refuses ours at once, rightly. The refusal is
 * closed and the run started again with `again` a moment later, until the guest is free.
 */
async function pastTheLock(
  page: Page,
  dialog: Locator,
  again: () => Promise<Locator>,
  { frozenElsewhere = false } = {},
): Promise<Locator> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const settled = dialog
      .locator('[data-testid="phase-preflight"][data-status="done"]')
      .or(dialog.getByTestId('snapshot-result'));
    await settled.first().waitFor({ timeout: RUN_MS });
    const result = dialog.getByTestId('snapshot-result');
    if ((await result.count()) === 0) return dialog;
    const said =
      (await result.getAttribute('data-state')) === 'failed' ? await result.innerText() : '';
    const busy = /failed at “lock”/.test(said) || (frozenElsewhere && /already frozen/.test(said));
    if (!busy) return dialog;
    if (Date.now() > deadline)
      throw new Error(`the guest stayed busy with other operations: ${said}`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForTimeout(500 + Math.random() * 1500);
    dialog = await again();
  }
}

const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

/** Tall enough for the whole dialog with its result. */
const DIALOG_SHOT = { height: 1200 };

describe('consistent snapshot', () => {
  it(
    'takes a quiesced snapshot of the agent guest through the dialog, with its window',
    async () => {
      const { page } = gui;
      await waitForLevels(page, { [agent]: 'ready' });
      let dialog = await openDialog(page, agent);
      expect(await dialog.getAttribute('role')).toBe('dialog');
      expect(await dialog.innerText()).toContain(`Consistent snapshot of ${agent}`);

      // The defaults: a generated name (selected, so typing replaces it), require, 10 s.
      const name = dialog.getByTestId('snapshot-name');
      expect(await name.inputValue()).toMatch(/^quiesce-\d{8}-\d{6}$/);
      await expect.poll(() => isFocused(name)).toBe(true);
      expect(await dialog.getByTestId('snapshot-policy-require').isChecked()).toBe(true);
      expect(await dialog.getByTestId('snapshot-policy-allow').isChecked()).toBe(false);
      expect(await dialog.getByTestId('snapshot-max-freeze').inputValue()).toBe('10');
      expect(await dialog.getByTestId('snapshot-remember').isChecked()).toBe(false);
      // A restore test after each snapshot is off unless the domain asked (docs/restore.md).
      expect(await dialog.getByTestId('snapshot-test-restore').isChecked()).toBe(false);
      const note = dialog.getByTestId('snapshot-readiness-note');
      expect(await note.getAttribute('data-tone')).toBe('ok');
      expect(await note.innerText()).toContain('the snapshot will be quiesced');
      const text = await dialog.innerText();
      expect(text).toContain('If the agent cannot freeze the guest, no snapshot is taken');
      expect(text).toContain('labelled with the reason');

      const snapshot = unique('quiesced');
      await name.fill(snapshot);
      await dialog
        .getByTestId('snapshot-description')
        .fill('before the upgrade <&> "quoted"\nline 2');
      await gui.screenshot('snapshot-dialog', { height: 1000 });

      // Enter in a field takes the snapshot.
      const callsBefore = gui.calls.length;
      await name.press('Enter');
      await dialog.getByTestId('snapshot-progress').waitFor();
      expect(gui.calls.slice(callsBefore)).toContain('snapshot.start');
      await gui.screenshot('snapshot-progress', DIALOG_SHOT);
      dialog = await pastTheLock(
        page,
        dialog,
        async () => {
          const next = await openDialog(page, agent);
          await next.getByTestId('snapshot-name').fill(snapshot);
          await next.getByTestId('snapshot-name').press('Enter');
          return next;
        },
        { frozenElsewhere: true },
      );
      const progress = dialog.getByTestId('snapshot-progress');

      const result = await resultIn(dialog);
      expect(await result.getAttribute('data-state')).toBe('succeeded');
      expect(await result.getAttribute('data-label')).toBe('quiesced');
      expect(await result.getByTestId('snapshot-label').innerText()).toBe(
        'Quiesced · 1 filesystem',
      );
      const window = result.getByTestId('snapshot-window');
      const windowText = await window.innerText();
      expect(windowText).toMatch(/Blocked-write window \d[\d,]*(\.\d)? ms/);
      expect(windowText).toContain('measured on the host');
      expect(Number(await window.getAttribute('data-window-ms'))).toBeGreaterThan(0);
      expect(await result.innerText()).toContain(snapshot);

      // Every phase ran, in order, each with its host-side duration.
      expect(await phaseStatuses(progress)).toEqual(
        Object.fromEntries(PHASES.map((p) => [p, 'done'])),
      );
      expect(await progress.getByTestId('phase-cut').innerText()).toMatch(/\d+ ms|\d+\.\d s/);
      // The window split into its phases: they add up to it, or the sentence says where the
      // rest went.
      expect(await progress.getByTestId('window-breakdown').innerText()).toMatch(
        /^freeze [\d.]+ m?s \+ cut [\d.]+ m?s \+ thaw [\d.]+ m?s = (the [\d.,]+ ms window\.|[\d.]+ m?s; the other [\d.]+ m?s of the [\d.,]+ ms window went between the steps|[\d.]+ m?s, more than the [\d.,]+ ms window: the runner writes these phases' ends to the journal only after the thaw)/,
      );
      // The counter ended on the measured window.
      const counter = progress.getByTestId('frozen-counter');
      expect(await counter.getAttribute('data-state')).toBe('thawed');
      expect(await counter.innerText()).toContain('measured on the host');

      // The disks and the overlay files the snapshot put on top of them.
      const disks = result.getByTestId('snapshot-disks');
      expect(await disks.innerText()).toContain('vda');
      expect(await disks.innerText()).toContain(`.${snapshot}.qcow2`);
      expect(await result.getByTestId('snapshot-overlays').getAttribute('data-overlays')).toMatch(
        /^(precreated|libvirt)$/,
      );
      expect(snapshotNames(agent)).toContain(snapshot);
      await gui.screenshot('snapshot-result', DIALOG_SHOT);

      // Escape closes the dialog; the focus goes back to the button that opened it, and the
      // operation stays open under Recent operations.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(() => isFocused(page.getByTestId(`snapshot-open-${agent}`))).toBe(true);
      const detail = page.getByTestId('operation-detail');
      expect(await detail.getByTestId('snapshot-result').getAttribute('data-label')).toBe(
        'quiesced',
      );
    },
    RUN_TEST_MS,
  );

  it(
    'refuses a require-quiesce snapshot of the guest whose agent is not started (opened with `s`)',
    async () => {
      const { page } = gui;
      await waitForLevels(page, { [noAgent]: 'agent-not-connected' });
      await page.getByTestId(`domain-row-${noAgent}`).focus();
      await page.keyboard.press('s');
      let dialog = page.getByTestId('snapshot-dialog');
      await dialog.getByTestId('snapshot-form').waitFor();
      expect(await page.locator('.keys-hint').innerText()).toContain('takes a consistent snapshot');

      // The row's main button says what it does for this readiness, and the dialog starts so.
      expect(await page.getByTestId(`snapshot-open-${noAgent}`).innerText()).toContain(
        'Crash-consistent snapshot…',
      );
      expect(await dialog.getByTestId('snapshot-policy-allow').isChecked()).toBe(true);
      // Said up front, and it follows the policy chosen.
      const note = dialog.getByTestId('snapshot-readiness-note');
      expect(await note.innerText()).toContain('this will be a crash-consistent snapshot');
      await dialog.getByTestId('snapshot-policy-require').check();
      expect(await note.innerText()).toBe(
        'The agent is not started: with Require quiesce this snapshot will be refused.',
      );
      expect(await note.getAttribute('data-tone')).toBe('bad');

      const snapshot = unique('refused');
      await dialog.getByTestId('snapshot-name').fill(snapshot);
      await dialog.getByTestId('snapshot-submit').click();
      dialog = await pastTheLock(page, dialog, submitAgain(page, noAgent, snapshot, 'require'));
      const result = await resultIn(dialog);
      expect(await result.getAttribute('data-state')).toBe('failed');
      expect(await result.getAttribute('data-label')).toBe('none');
      const error = result.getByTestId('snapshot-error');
      expect(await error.getAttribute('role')).toBe('alert');
      const explained = await error.innerText();
      expect(explained).toContain('failed at “preflight”; no snapshot was taken');
      expect(explained).toMatch(/agent/);
      expect(explained).toContain('What to do:');
      const taken = result.getByTestId('snapshot-taken');
      expect(await taken.getAttribute('data-taken')).toBe('false');
      expect(await taken.innerText()).toContain('No snapshot was taken');

      // Refused before anything was prepared or frozen.
      const phases = await phaseStatuses(dialog.getByTestId('snapshot-progress'));
      expect(phases.lock).toBe('done');
      expect(phases.preflight).toBe('failed');
      for (const p of PHASES.slice(2)) expect(phases[p], p).toBe('not-reached');
      expect(await dialog.getByTestId('frozen-counter').count()).toBe(0);
      expect(snapshotNames(noAgent)).not.toContain(snapshot);
      await gui.screenshot('snapshot-refused', DIALOG_SHOT);
      await dialog.getByTestId('snapshot-close').click();
      await dialog.waitFor({ state: 'detached' });
    },
    RUN_TEST_MS,
  );

  it(
    'takes a crash-consistent snapshot of the same guest when allowed, labelled with the reason',
    async () => {
      const { page } = gui;
      let dialog = await openDialog(page, noAgent);
      const snapshot = unique('crash');
      await dialog.getByTestId('snapshot-name').fill(snapshot);
      // Remembered for this domain (in this test's own data folder).
      await dialog.getByTestId('snapshot-max-freeze').fill('15');
      await dialog.getByTestId('snapshot-remember').check();
      const allow = dialog.getByTestId('snapshot-policy-allow');
      await allow.check();
      expect(await dialog.getByTestId('snapshot-readiness-note').getAttribute('data-tone')).toBe(
        'warn',
      );
      // Enter on the policy radio takes the snapshot too.
      await allow.press('Enter');
      dialog = await pastTheLock(page, dialog, submitAgain(page, noAgent, snapshot));
      const result = await resultIn(dialog);
      expect(await result.getAttribute('data-state')).toBe('succeeded');
      expect(await result.getAttribute('data-label')).toBe('crash-consistent');
      const label = await result.getByTestId('snapshot-label').innerText();
      expect(label).toMatch(/^Crash-consistent · .*agent/);
      expect(await result.getByTestId('snapshot-window').innerText()).toContain('No freeze');
      // Nothing to freeze, so no watchdog and no window; the cut itself ran.
      const phases = await phaseStatuses(dialog.getByTestId('snapshot-progress'));
      for (const p of ['arm', 'freeze', 'thaw', 'disarm']) expect(phases[p], p).toBe('skipped');
      for (const p of ['lock', 'preflight', 'prepare', 'cut', 'verify'])
        expect(phases[p], p).toBe('done');
      expect(snapshotNames(noAgent)).toContain(snapshot);
      await gui.screenshot('snapshot-crash-consistent', DIALOG_SHOT);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // The next snapshot of this domain starts from what was remembered.
      const again = await openDialog(page, noAgent);
      expect(await again.getByTestId('snapshot-policy-allow').isChecked()).toBe(true);
      expect(await again.getByTestId('snapshot-max-freeze').inputValue()).toBe('15');
      expect(await again.getByTestId('snapshot-remember').isChecked()).toBe(true);
      await page.keyboard.press('Escape');
      await again.waitFor({ state: 'detached' });
    },
    RUN_TEST_MS,
  );

  it('explains an invalid name next to the field and sends nothing', async () => {
    const { page } = gui;
    const dialog = await openDialog(page, agent);
    const callsBefore = gui.calls.length;
    // Enter in the description is a new line, not a submit.
    const description = dialog.getByTestId('snapshot-description');
    await description.press('Enter');
    expect(await description.inputValue()).toBe('\n');
    expect(await dialog.getByTestId('snapshot-form').count()).toBe(1);
    const name = dialog.getByTestId('snapshot-name');
    await name.fill('a;b');
    await dialog.getByTestId('snapshot-max-freeze').fill('500');
    await name.press('Enter');
    const nameError = dialog.getByTestId('snapshot-name-error');
    await nameError.waitFor();
    expect(await nameError.innerText()).toBe(
      'Use up to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('aria-describedby')).toContain(
      await nameError.getAttribute('id'),
    );
    expect(await dialog.getByTestId('snapshot-maxFreeze-error').innerText()).toBe(
      'Use a whole number of seconds from 1 to 120',
    );
    // The focus goes to the first field to fix.
    await expect.poll(() => isFocused(name)).toBe(true);
    await gui.screenshot('snapshot-invalid-name', { height: 1000 });
    // Fixing a field clears its message only.
    await dialog.getByTestId('snapshot-max-freeze').fill('30');
    expect(await nameError.count()).toBe(1);

    // Escape cancels: nothing went to main at any point.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(gui.calls.slice(callsBefore)).not.toContain('snapshot.start');
    expect(snapshotNames(agent)).not.toContain('a;b');
  });
});

describe('a longer freeze', () => {
  it(
    'counts the writes held while the guest is frozen, then shows the measured window; a reload rebuilds the view',
    async () => {
      // Its own shell, whose runner holds the guest frozen 2 s before the cut (test-only fault
      // injection), so the counter has time to tick.
      const own = await startGui({ service: { holdFrozenMs: 2000 } });
      try {
        const { page } = own;
        await connectHost(page, profile, { name: 'lab-hold', libvirtUri: profile.libvirtUri });
        await waitForLevels(page, { [agent]: 'ready' });
        const snapshot = unique('held');
        const run = async () => {
          const opened = await openDialog(page, agent);
          await opened.getByTestId('snapshot-name').fill(snapshot);
          await opened.getByTestId('snapshot-submit').click();
          return opened;
        };
        const dialog = await pastTheLock(page, await run(), run, { frozenElsewhere: true });

        const counter = dialog.getByTestId('frozen-counter');
        await dialog.locator('[data-testid="frozen-counter"][data-state="frozen"]').waitFor({
          timeout: RUN_MS,
        });
        const heldMs = async () =>
          Number((await counter.locator('.counter-value').innerText()).replace(/\D/g, ''));
        const first = await heldMs();
        expect(await counter.innerText()).toMatch(/Guest writes held:\s*\d+ ms/);
        expect(await dialog.getByTestId('phase-freeze').getAttribute('data-status')).toBe(
          'running',
        );
        await expect.poll(heldMs, { timeout: 1500 }).toBeGreaterThan(first);
        await own.screenshot('snapshot-frozen-counter', DIALOG_SHOT);

        await dialog.locator('[data-testid="frozen-counter"][data-state="thawed"]').waitFor({
          timeout: RUN_MS,
        });
        const result = await resultIn(dialog);
        expect(await result.getAttribute('data-label')).toBe('quiesced');
        const windowMs = Number(
          await result.getByTestId('snapshot-window').getAttribute('data-window-ms'),
        );
        expect(windowMs).toBeGreaterThanOrEqual(2000);
        expect(await counter.innerText()).toContain('measured on the host');
        const opId = await opIdIn(dialog);

        // After a reload the window has lost everything it followed; main has not: the row's
        // result comes back with its phases and the measured window, from snapshot.get.
        await page.reload();
        await page.getByTestId('add-host').waitFor();
        const row = page.getByTestId(`operation-row-${opId}`);
        await row.waitFor({ timeout: 60_000 });
        await row.click();
        const detail = page.getByTestId('operation-detail');
        await expect
          .poll(() => detail.getByTestId('snapshot-result').getAttribute('data-label'))
          .toBe('quiesced');
        expect(await phaseStatuses(detail)).toEqual(
          Object.fromEntries(PHASES.map((p) => [p, 'done'])),
        );
        expect(await detail.getByTestId('frozen-counter').getAttribute('data-state')).toBe(
          'thawed',
        );
        expect(own.calls).toContain('snapshot.get');
        expect(own.pageErrors).toEqual([]);
      } finally {
        await own.close();
      }
    },
    RUN_TEST_MS,
  );
});

describe('a runner that vanishes', () => {
  it(
    'shows the outcome as unknown and what the watchdog did when the runner is killed mid-freeze',
    async () => {
      // Its own shell, whose runner holds the guest frozen for 30 s: the watchdog (3 s) acts first.
      const own = await startGui({ service: { holdFrozenMs: 30_000 } });
      const snapshot = unique('lost');
      try {
        const { page } = own;
        await connectHost(page, profile, { name: 'lab-lost', libvirtUri: profile.libvirtUri });
        await waitForLevels(page, { [agent]: 'ready' });
        const run = async () => {
          const opened = await openDialog(page, agent);
          await opened.getByTestId('snapshot-name').fill(snapshot);
          await opened.getByTestId('snapshot-max-freeze').fill('3');
          await opened.getByTestId('snapshot-submit').click();
          return opened;
        };
        const dialog = await pastTheLock(page, await run(), run, { frozenElsewhere: true });
        await dialog.locator('[data-testid="frozen-counter"][data-state="frozen"]').waitFor({
          timeout: RUN_MS,
        });
        const opId = await opIdIn(dialog);
        process.kill(runnerPid(opId), 'SIGKILL');

        // The watchdog's lines come through; the host's list then says the runner is gone.
        await dialog
          .getByTestId('watchdog-live')
          .or(dialog.getByTestId('snapshot-result'))
          .first()
          .waitFor({
            timeout: 30_000,
          });
        const result = await resultIn(dialog, 60_000);
        expect(await result.getAttribute('data-state')).toBe('lost');
        expect(await result.getAttribute('data-label')).toBe('none');
        expect(await result.getByTestId('snapshot-error').innerText()).toContain(
          'The runner on the host stopped before recording an outcome.',
        );
        await expect
          .poll(() => result.getByTestId('watchdog-outcome').innerText(), { timeout: 30_000 })
          .toContain('The watchdog thawed the guest');
        expect(await dialog.getByTestId('phase-freeze').getAttribute('data-status')).toBe(
          'interrupted',
        );
        // The count stopped: nothing measured the window, and the counter says so.
        const counter = dialog.getByTestId('frozen-counter');
        await expect.poll(() => counter.getAttribute('data-state')).toBe('unmeasured');
        expect(await counter.innerText()).toContain('The watchdog thawed the guest');
        expect(fsfreezeStatus(profile.libvirtUri, agent)).toBe('thawed');
        expect(snapshotNames(agent)).not.toContain(snapshot);
        await own.screenshot('snapshot-lost', DIALOG_SHOT);
        expect(own.pageErrors).toEqual([]);
      } finally {
        await own.close();
        // Never leave the guest frozen, nor the overlay the killed runner had made beforehand.
        try {
          virsh('domfsthaw', agent);
        } catch {
          /* thawed already */
        }
        const dir = dirname(profile.guests.find((g) => g.name === agent)!.dataDisk);
        for (const f of readdirSync(dir))
          if (f.endsWith(`.${snapshot}.qcow2`)) rmSync(join(dir, f));
      }
    },
    RUN_TEST_MS,
  );
});

/**
 * Runs a snapshot through the services, as another workstation's Quiesce on the same host would,
 * until it gets past the domain lock: other sessions sharing the lab may hold the guest, and the
 * runner then refuses ours at once, rightly.
 */
async function snapshotElsewhere(
  session: Awaited<ReturnType<typeof connectedLabSession>>,
  input: { domain: string; name: string; policy?: 'require' | 'allow-crash-consistent' },
): Promise<{ opId: string; name: string }> {
  const uuid = profile.guests.find((g) => g.name === input.domain)!.uuid;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const { opId } = await session.h.call('snapshot.start', {
      hostId: session.hostId,
      uuid,
      name: input.name,
      ...(input.policy ? { policy: input.policy } : {}),
    });
    const s = await waitForEnd(session.h, opId, RUN_MS);
    const said = `${s.error?.message ?? ''} ${s.error?.cause ?? ''}`;
    const busy =
      s.phases.some((p) => p.phase === 'lock' && p.status === 'failed') ||
      /already frozen/.test(said);
    if (!busy) return { opId, name: input.name };
    if (Date.now() > deadline)
      throw new Error(`the guest stayed busy with other operations: ${said}`);
    await new Promise((r) => setTimeout(r, 500 + Math.random() * 1500));
  }
}

describe('recent operations', () => {
  it(
    'lists the operations under Recent operations and opens a row’s result',
    async () => {
      const { page } = gui;
      // Its own operations, run by another workstation's Quiesce on the same host (this window
      // never followed them: the host's journals alone tell their outcome): a quiesced snapshot,
      // a refusal and a crash-consistent one of the guest without an agent, and one held frozen
      // 2 s (test-only fault injection) so its window is known to be at least that.
      const elsewhere = await connectedLabSession();
      const holding = await connectedLabSession({ holdFrozenMs: 2000 });
      let started: Record<
        'quiesced' | 'refused' | 'crash' | 'held',
        { opId: string; name: string }
      >;
      try {
        started = {
          quiesced: await snapshotElsewhere(elsewhere, { domain: agent, name: unique('quiesced') }),
          refused: await snapshotElsewhere(elsewhere, { domain: noAgent, name: unique('refused') }),
          crash: await snapshotElsewhere(elsewhere, {
            domain: noAgent,
            name: unique('crash'),
            policy: 'allow-crash-consistent',
          }),
          held: await snapshotElsewhere(holding, { domain: agent, name: unique('held') }),
        };
      } finally {
        elsewhere.h.dispose();
        holding.h.dispose();
      }
      const ops = page.getByTestId('operations');
      await ops.waitFor();
      // Other sessions may share the lab host and its journals: look for ours, never count rows.
      const row = (opId: string) => ops.getByTestId(`operation-row-${opId}`);
      // Operations another workstation ran show after a Refresh.
      const refresh = ops.locator('[data-testid="refresh-operations"]:not([disabled])');
      for (const { opId } of Object.values(started)) {
        await expect
          .poll(
            async () => {
              if ((await row(opId).count()) === 0 && (await refresh.count()) > 0) {
                await refresh.click();
              }
              return row(opId).count();
            },
            { timeout: 60_000, interval: 1000 },
          )
          .toBe(1);
      }
      const cells = async (opId: string) => row(opId).locator('td').allInnerTexts();
      const quiesced = await cells(started.quiesced!.opId);
      expect(quiesced[0]).toMatch(/\d\d:\d\d:\d\d/);
      expect(quiesced.slice(1, 4)).toEqual([
        agent,
        started.quiesced!.name,
        'Quiesced · 1 filesystem',
      ]);
      expect(quiesced[4]).toMatch(/^\d[\d,]*(\.\d)? ms$/);
      expect(quiesced[5]).toBe('Succeeded');
      expect(quiesced[6]).toMatch(/.+@.+/);
      const refused = await cells(started.refused!.opId);
      expect(refused.slice(1, 6)).toEqual([noAgent, started.refused!.name, '—', '—', 'Failed']);
      const crash = await cells(started.crash!.opId);
      expect(crash.slice(1, 6)).toEqual([
        noAgent,
        started.crash!.name,
        'Crash-consistent',
        '—',
        'Succeeded',
      ]);

      // A click opens the result card below the table…
      await row(started.refused!.opId).click();
      const detail = page.getByTestId('operation-detail');
      const card = detail.getByTestId('snapshot-result');
      await expect.poll(() => card.getAttribute('data-state')).toBe('failed');
      expect(await detail.getByTestId('snapshot-taken').getAttribute('data-taken')).toBe('false');
      expect(await row(started.refused!.opId).getAttribute('aria-current')).toBe('true');
      await gui.screenshot('operations', { height: 1800 });

      // …and so does Enter on a focused row.
      await row(started.quiesced!.opId).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => card.getAttribute('data-label')).toBe('quiesced');
      expect(await detail.getByTestId('snapshot-window').innerText()).toContain(
        'measured on the host',
      );

      // The one held frozen: the host's journal alone tells its outcome, the window included.
      const held = row(started.held!.opId);
      expect((await cells(started.held!.opId)).slice(1, 4)).toEqual([
        agent,
        started.held!.name,
        'Quiesced · 1 filesystem',
      ]);
      await held.click();
      await expect.poll(() => card.getAttribute('data-label')).toBe('quiesced');
      expect(
        Number(await detail.getByTestId('snapshot-window').getAttribute('data-window-ms')),
      ).toBeGreaterThanOrEqual(2000);
      expect(await phaseStatuses(detail)).toEqual(
        Object.fromEntries(PHASES.map((p) => [p, 'done'])),
      );
      // Enter again closes it.
      await held.press('Enter');
      await detail.waitFor({ state: 'detached' });
    },
    RUN_TEST_MS,
  );
});
