import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { revertFaultHost } from '../fault/revert-fault-run';

/**
 * The revert runner SIGKILLed (its whole session: no exit trap runs, no child survives) at each
 * step of each phase, against the scripted virsh. The app's link is gone too: the runner was
 * launched detached and nothing follows it; what comes after is a new run on the host. Each time:
 * the domain stays defined on files that exist, the journal says the run is lost (not running),
 * and `revert.recover`'s run (or the next revert) finishes it — definition switched — or rolls it
 * back — its overlay removed — and the guest runs again, on files that exist.
 */
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** PHASE, the Nth call inside it (virsh, qemu-img or the journal's clock), what settling does. */
const MATRIX: [phase: string, n: number, act: 'finished' | 'rolled-back', what: string][] = [
  ['lock', 1, 'rolled-back', 'lock taken, nothing else'],
  ['settle', 1, 'rolled-back', 'earlier reverts settled'],
  ['preflight', 1, 'rolled-back', 'asking libvirt the domain’s state'],
  ['preflight', 3, 'rolled-back', 'was-running noted, definition read'],
  ['prepare', 1, 'rolled-back', 'before the overlay exists (recorded in made)'],
  ['prepare', 3, 'rolled-back', 'the overlay made'],
  ['stop', 1, 'rolled-back', 'asking the guest to shut down'],
  ['stop', 2, 'rolled-back', 'the guest shut off'],
  ['switch', 2, 'rolled-back', 'at the define, before it'],
  ['switch', 3, 'finished', 'defined, not yet checked'],
  ['branch', 1, 'finished', 'before the branch is recorded'],
  ['branch', 2, 'finished', 'the branch recorded'],
  ['current', 1, 'finished', 'before the target is made current'],
  ['current', 2, 'finished', 'at the redefine --current'],
  ['start', 1, 'finished', 'at the start, before it'],
  ['start', 2, 'finished', 'the guest started'],
  ['verify', 1, 'finished', 'asking the agent'],
];

// Each case has a fake host of its own, and much of a case is the runner's one-second waits (a
// guest's shutdown, its agent): side by side
describe.concurrent(
  'a revert killed at each phase (fake virsh): defined, on existing files, settled from the journal',
  () => {
    for (const [phase, n, act, what] of MATRIX) {
      it(`killed in ${phase} (${what}): recover ${act === 'finished' ? 'finishes' : 'rolls back'} it`, async () => {
        const f = revertFaultHost(roots);
        f.killAt(phase, n);
        const { opId, overlay } = await f.launchAsync('revert');
        const killed = await f.settleOf(opId);
        expect(f.trace(), 'the kill happened where asked').toContain(`killed ${phase} ${n}`);
        expect(killed.state).toBe('lost');
        expect(f.alive(f.runnerPid(opId))).toBe(false);

        // what the kill left: a defined domain, every disk file of it there
        for (const file of f.definedFiles()) expect(existsSync(file), file).toBe(true);
        expect(f.definedFiles()).toHaveLength(1);

        const rec = await f.launchAsync('recover');
        const r = await f.settleOf(rec.opId);
        expect(r, JSON.stringify(r)).toMatchObject({
          state: 'succeeded',
          mode: 'recover',
          outcome: 'settled',
          settled: [{ opId, act }],
        });
        // a shutdown is waited for only while the killed run's stop was under way
        const waited = f
          .journalOf(rec.opId)
          .includes(Buffer.from('waiting for the shutdown').toString('base64').slice(0, 16));
        expect(waited).toBe(phase === 'stop' && n === 1); // the guest still running there
        // the killed run's own journal now tells how it ended
        expect(await f.settleOf(opId)).toMatchObject({ state: 'failed', outcome: act });

        // the guest runs (the fake starts only a definition whose files exist), on the right state
        expect(f.domstate()).toBe('running');
        for (const file of f.definedFiles()) expect(existsSync(file), file).toBe(true);
        if (act === 'finished') {
          expect(f.definedFiles()).toEqual([overlay]);
          expect(f.branchLines(), 'the branch recorded exactly once').toHaveLength(1);
          expect(f.branches()[0]).toMatchObject({ id: opId, from: 'B' });
          expect(f.trace()).toMatch(/^snapshot-create \S+ \S+ --redefine --current$/m);
        } else {
          expect(f.def()).toBe(f.original);
          expect(existsSync(overlay!)).toBe(false);
          expect(f.branchLines()).toEqual([]);
          expect(f.trace()).not.toMatch(/^define /m);
        }
        // a second recover has nothing left to do
        const again = await f.settleOf((await f.launchAsync('recover')).opId);
        expect(again).toMatchObject({ state: 'succeeded', settled: [] });
      });
    }

    it('the next revert settles a killed one first (rolled back), then reverts', async () => {
      const f = revertFaultHost(roots);
      f.killAt('stop', 2);
      const first = await f.launchAsync('revert');
      expect((await f.settleOf(first.opId)).state).toBe('lost');
      expect(f.domstate()).toBe('shut off'); // killed after the guest stopped
      const next = await f.launchAsync('revert');
      const s = await f.settleOf(next.opId);
      expect(s, JSON.stringify(s)).toMatchObject({
        state: 'succeeded',
        outcome: 'finished',
        settled: [{ opId: first.opId, act: 'rolled-back' }],
      });
      expect(existsSync(first.overlay!)).toBe(false);
      expect(f.definedFiles()).toEqual([next.overlay]);
      expect(f.domstate()).toBe('running');
      expect(f.branches().map((b) => b.id)).toEqual([next.opId]);
    });

    it('killed while the guest is still shutting down: the next revert waits for that shutdown, starts the guest again, then reverts', async () => {
      const f = revertFaultHost(roots);
      f.plan(['shutdown slow']);
      f.killAt('stop', 2); // the shutdown asked for, the guest still running
      const first = await f.launchAsync('revert');
      expect((await f.settleOf(first.opId)).state).toBe('lost');
      expect(f.domstate()).toBe('running');
      f.plan([]);
      const next = await f.launchAsync('revert');
      const s = await f.settleOf(next.opId);
      expect(s, JSON.stringify(s)).toMatchObject({
        state: 'succeeded',
        outcome: 'finished',
        settled: [{ opId: first.opId, act: 'rolled-back' }],
      });
      // the guest ran when the revert began, so it runs after it
      expect(f.domstate()).toBe('running');
      expect(f.definedFiles()).toEqual([next.overlay]);
      expect(f.trace()).toMatch(/^start /m);
    });

    it('killed just after the guest started, before the runner noted it: recover finishes at once, no shutdown waited for', async () => {
      const f = revertFaultHost(roots);
      f.plan(['start kill-after']);
      const { opId } = await f.launchAsync('revert', { stopTimeoutS: 30 });
      expect((await f.settleOf(opId)).state).toBe('lost');
      expect(f.trace()).toContain('killed after start');
      f.plan([]);
      const t0 = Date.now();
      const rec = await f.launchAsync('recover');
      const r = await f.settleOf(rec.opId);
      expect(r).toMatchObject({ state: 'succeeded', settled: [{ opId, act: 'finished' }] });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(f.journalOf(rec.opId)).not.toContain(
        Buffer.from('waiting for the shutdown').toString('base64').slice(0, 16),
      );
      expect(f.domstate()).toBe('running');
    }, 40_000);
  },
);
