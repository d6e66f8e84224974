import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  guestAgentCommand,
  guestExec,
  readWriterSamples,
  setWriter,
  writerGapsMs,
} from '../lab/lab';
import { labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { labUserHome } from '../support/lab-operations';
import { processGone, waitForAgent } from '../support/agent-guest-restore';
import {
  expectCloneGone,
  useAgentGuest,
  waitRestoreTest,
  waitRevert as waitRevertOf,
} from '../support/lab-fixture';
import { readRevertLines, type RevertLine } from '../../electron/services/revert/revert-journal';

/**
 * Lab tier, libvirt 9.0 (which cannot revert external snapshots): Quiesce's own revert through
 * the services. Markers 1–3 around snapshots A and B; revert to A; the state left is a discarded
 * branch; revert to B from there; revert to the branch. Then the runner killed (SIGKILL: no exit
 * trap) at each phase: the domain stays defined on files that exist, and the next run finishes
 * or rolls the revert back. Every test ends with the agent guest exactly as it was found: its
 * original definition (disk data.qcow2), no snapshot, no overlay, running with its agent.
 */
const ag = useAgentGuest({ session: true });
const revertOps = () => join(labUserHome(), '.quiesce', 'reverts', 'ops');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const markers = async () =>
  (await guestExec(ag.name, '/bin/sh', ['-c', 'cat /data/marker-* 2>/dev/null'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);
const snapshotNames = () =>
  labVirsh(ag.p.libvirtUri, 'snapshot-list', ag.uuid, '--name', '--topological')
    .trim()
    .split('\n')
    .filter(Boolean);
const definedDisks = () =>
  labVirsh(ag.p.libvirtUri, 'domblklist', ag.uuid, '--inactive', '--details')
    .split('\n')
    .map((l) => /^\s*file\s+disk\s+\S+\s+(.+)$/.exec(l)?.[1]?.trim())
    .filter((f): f is string => Boolean(f));
const domstate = () => labVirsh(ag.p.libvirtUri, 'domstate', ag.uuid).trim();

const waitAgent = () => waitForAgent(ag.name);

/** Writes marker n in the guest, then snapshot `name` with Quiesce (it must be quiesced). */
async function markAndSnapshot(n: number, name: string): Promise<void> {
  await guestExec(ag.name, '/bin/sh', ['-c', `echo marker ${n} > /data/marker-${n}; sync`]);
  const { opId } = await ag.h.call('snapshot.start', {
    hostId: ag.hostId,
    uuid: ag.uuid,
    name,
    description: '',
  });
  expect(await waitForEnd(ag.h, opId), name).toMatchObject({
    state: 'succeeded',
    label: { kind: 'quiesced' },
  });
}

const waitRevert = (opId: string) => waitRevertOf(ag.h, ag.hostId, opId);

async function revertTo(
  target: { kind: 'snapshot'; name: string } | { kind: 'branch'; id: string },
) {
  const { opId } = await ag.h.call('revert.start', {
    hostId: ag.hostId,
    uuid: ag.uuid,
    target,
    stopTimeoutS: 60,
  });
  const s = await waitRevert(opId);
  expect(s, JSON.stringify(s)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
  await waitAgent();
  return { opId, summary: s };
}

const restoreAgentGuest = () => ag.restore();

describe('revert on libvirt 9.0, by Quiesce’s own procedure', () => {
  it('reverts to A, keeps the left state as a branch, reverts to B from there, and to the branch', async () => {
    const { p, h, hostId, uuid, name: agent, dir: guestDir } = ag;
    try {
      await markAndSnapshot(1, 'rv-A');
      await markAndSnapshot(2, 'rv-B');
      await guestExec(agent, '/bin/sh', ['-c', 'echo marker 3 > /data/marker-3; sync']);
      const topBefore = definedDisks();

      const preview = await h.call('revert.preview', {
        hostId,
        uuid,
        target: { kind: 'snapshot', name: 'rv-A' },
      });
      expect(preview.willStop).toBe(true);
      expect(preview.laterSnapshots).toEqual(['rv-B']);
      expect(preview.text.kept).toContain(topBefore[0]);
      expect(preview.disks[0]).toMatchObject({ target: 'vda', frozen: `${guestDir}/data.qcow2` });

      const first = await revertTo({ kind: 'snapshot', name: 'rv-A' });
      expect(first.summary.phases.map((x) => `${x.phase}:${x.status}`)).toEqual([
        'lock:done',
        'settle:done',
        'preflight:done',
        'prepare:done',
        'stop:done',
        'switch:done',
        'branch:done',
        'current:done',
        'start:done',
        'verify:done',
      ]);
      expect(domstate()).toMatch(/running/);
      expect(await markers()).toEqual(['marker 1']);
      // nothing deleted: both snapshots are still there, and their files
      expect(snapshotNames()).toEqual(['rv-A', 'rv-B']);
      for (const f of topBefore) expect(existsSync(f), f).toBe(true);
      expect(definedDisks()[0]).toMatch(/data\.revert-.*\.qcow2$/);
      expect(labVirsh(p.libvirtUri, 'snapshot-current', uuid, '--name').trim()).toBe('rv-A');

      const { branches, current } = await h.call('revert.branches', { hostId, uuid });
      expect(current).toBe('rv-A');
      expect(branches).toHaveLength(1);
      expect(branches[0]).toMatchObject({
        id: first.opId,
        revertedTo: { kind: 'snapshot', name: 'rv-A' },
        from: 'rv-B',
        snapshots: ['rv-B'],
        intact: true,
        deleted: false,
        disks: [{ target: 'vda', top: topBefore[0] }],
      });
      expect(branches[0]!.sizeBytes).toBeGreaterThan(0);
      // the history sees the same snapshots (A current now)
      const history = await h.call('history.list', { hostId, uuid });
      expect(history.snapshots.map((s) => s.name)).toEqual(['rv-A', 'rv-B']);

      await revertTo({ kind: 'snapshot', name: 'rv-B' });
      expect(await markers()).toEqual(['marker 1', 'marker 2']);
      const after = (await h.call('revert.branches', { hostId, uuid })).branches;
      expect(after).toHaveLength(2);

      // the first branch (marker 3) is revertable itself
      await revertTo({ kind: 'branch', id: first.opId });
      expect(await markers()).toEqual(['marker 1', 'marker 2', 'marker 3']);

      // delete the branch left by the revert to B (its top file is no domain's)
      const second = after.find((b) => b.id !== first.opId)!;
      const del = await h.call('revert.deleteBranch', { hostId, uuid, id: second.id });
      expect(del.removed).toEqual(second.disks.map((d) => d.top));
      for (const f of del.removed) expect(existsSync(f)).toBe(false);
      // the first branch's top is now the backing file of the running chain: kept
      const keep = await h.call('revert.deleteBranch', { hostId, uuid, id: first.opId });
      expect(keep.removed).toEqual([]);
      expect(keep.kept).toEqual([topBefore[0]]);
      expect(await markers()).toEqual(['marker 1', 'marker 2', 'marker 3']);
    } finally {
      await restoreAgentGuest();
    }
  }, 600_000);

  it('a guest that ignores shutdown: never powered off without the admin’s say; with it, reverted', async () => {
    const { h, hostId, uuid, name: agent } = ag;
    try {
      await markAndSnapshot(1, 'rv-A');
      await guestExec(agent, '/bin/sh', ['-c', 'echo marker 2 > /data/marker-2; sync']);
      // No agent (its shutdown gone) and no acpid in the lab guest (ACPI ignored): it will not stop.
      await guestExec(agent, '/bin/sh', [
        '-c',
        '(sleep 1; kill $(cat /run/qemu-ga.pid)) >/dev/null 2>&1 </dev/null &',
      ]);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const up = await guestAgentCommand(agent, { execute: 'guest-ping' }).then(
          () => true,
          () => false,
        );
        if (!up) break;
        await sleep(300);
      }
      // Waited twice (refused, then forced): 2 s is enough for the agent's shutdown and, halfway,
      // ACPI's to be asked and ignored (revert-runner.sh, stop phase).
      const STOP_S = 2;
      const disks = definedDisks();
      const refused = await h.call('revert.start', {
        hostId,
        uuid,
        target: { kind: 'snapshot', name: 'rv-A' },
        stopTimeoutS: STOP_S,
      });
      const s = await waitRevert(refused.opId);
      expect(s, JSON.stringify(s)).toMatchObject({
        state: 'failed',
        failedPhase: 'stop',
        outcome: 'rolled-back',
      });
      expect(s.message).toMatch(new RegExp(`did not stop within ${STOP_S} s.*not allowed`));
      expect(s.phases.find((x) => x.phase === 'stop')?.status).toBe('failed');
      expect(domstate()).toMatch(/running/); // never powered off
      expect(definedDisks()).toEqual(disks);
      for (const f of definedDisks()) expect(existsSync(f)).toBe(true);
      expect((await h.call('revert.branches', { hostId, uuid })).branches).toEqual([]);

      const forced = await h.call('revert.start', {
        hostId,
        uuid,
        target: { kind: 'snapshot', name: 'rv-A' },
        stopTimeoutS: STOP_S,
        allowForce: true,
      });
      const f = await waitRevert(forced.opId);
      expect(f, JSON.stringify(f)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
      expect(f.phases.find((x) => x.phase === 'stop')?.detail).toMatch(
        new RegExp(`powered off after ${STOP_S} s`),
      );
      await waitAgent();
      expect(await markers()).toEqual(['marker 1']);
    } finally {
      await restoreAgentGuest();
    }
  }, 300_000);
});

/** The phases a killed runner may die in, and what the journal line to wait for is. */
const KILL_AT = ['prepare', 'stop', 'switch', 'start', 'verify'] as const;

function journalOf(opId: string): RevertLine[] {
  try {
    return readRevertLines(readFileSync(join(revertOps(), opId, 'journal.jsonl'), 'utf8'));
  } catch {
    return [];
  }
}

describe('a revert runner killed at each phase', () => {
  for (const phase of KILL_AT) {
    it(`killed in ${phase}: the domain stays defined on files that exist, boots, and the journal settles`, async () => {
      const { p, h, hostId, uuid, name: agent } = ag;
      try {
        await markAndSnapshot(1, 'rv-A');
        await guestExec(agent, '/bin/sh', ['-c', 'echo marker 2 > /data/marker-2; sync']);
        const { opId } = await h.call('revert.start', {
          hostId,
          uuid,
          target: { kind: 'snapshot', name: 'rv-A' },
          stopTimeoutS: 60,
        });
        const deadline = Date.now() + 120_000;
        let pid = 0;
        for (;;) {
          const lines = journalOf(opId);
          const start = lines.find((l) => l.ev === 'start');
          if (start?.ev === 'start') pid = start.pid;
          if (
            pid &&
            lines.some((l) => l.ev === 'phase' && l.phase === phase && l.status === 'running')
          )
            break;
          if (lines.some((l) => l.ev === 'end') || Date.now() > deadline)
            throw new Error(`the runner never reached ${phase}: ${JSON.stringify(lines)}`);
          await sleep(20);
        }
        process.kill(pid, 'SIGKILL');
        for (let i = 0; i < 100 && !processGone(pid); i++) await sleep(50);
        // whatever it left: a defined domain whose disks exist
        expect(() => labVirsh(p.libvirtUri, 'dominfo', uuid)).not.toThrow();
        for (const f of definedDisks()) expect(existsSync(f), f).toBe(true);
        expect((await h.call('revert.get', { hostId, opId })).state).toBe('lost');

        const rec = await h.call('revert.recover', { hostId, uuid });
        const s = await waitRevert(rec.opId);
        expect(s, JSON.stringify(s)).toMatchObject({ state: 'succeeded', mode: 'recover' });
        expect(s.settled).toHaveLength(1);
        expect(s.settled[0]!.opId).toBe(opId);
        const act = s.settled[0]!.act;
        expect(['finished', 'rolled-back']).toContain(act);
        // the killed revert's own journal now says how it ended
        const killed = await h.call('revert.get', { hostId, opId });
        expect(killed).toMatchObject({ state: 'failed', outcome: act });
        // and the guest runs, on the state the outcome says
        await waitAgent();
        expect(domstate()).toMatch(/running/);
        for (const f of definedDisks()) expect(existsSync(f), f).toBe(true);
        expect(await markers()).toEqual(
          act === 'finished' ? ['marker 1'] : ['marker 1', 'marker 2'],
        );
        if (phase === 'prepare' || phase === 'stop') expect(act).toBe('rolled-back');
        if (phase === 'start' || phase === 'verify') expect(act).toBe('finished');
        const branches = (await h.call('revert.branches', { hostId, uuid })).branches;
        expect(branches.map((b) => b.id)).toEqual(act === 'finished' ? [opId] : []);
      } finally {
        await restoreAgentGuest();
      }
    }, 400_000);
  }
});

describe('restore test', () => {
  it('boots a disposable clone of a quiesced snapshot: restorable, filesystems clean, clone gone, original never stopped', async () => {
    const { p, h, hostId, uuid, name: agent, dir: guestDir } = ag;
    try {
      await markAndSnapshot(1, 'rv-A');
      await guestExec(agent, '/bin/sh', ['-c', 'echo marker 2 > /data/marker-2; sync']);
      const domid = labVirsh(p.libvirtUri, 'domid', uuid).trim();
      await setWriter(agent, true);
      const { opId } = await h.call('restore.start', { hostId, uuid, name: 'rv-A' });
      const r = await waitRestoreTest(h, hostId, opId, 240_000);
      await setWriter(agent, false);
      expect(r, JSON.stringify(r)).toMatchObject({
        state: 'succeeded',
        restorable: true,
        recovery: false,
        cloneGone: true,
      });
      expect(r.bootS).toBeGreaterThan(0);
      // the evidence: the agent's filesystems and the kernel's own words on mounting /data
      expect(r.evidence).toMatch(/EXT4-fs \(vda\): mounted/);
      expect(r.evidence).not.toMatch(/recovery complete/);
      expect(r.filesystems.map((f) => f.mountpoint)).toContain('/data');
      // the clone is gone: no domain, no overlay, no QEMU process
      expectCloneGone(p.libvirtUri, guestDir, r.clone);
      // the original never stopped: same QEMU process, writer without a long gap, its markers
      expect(labVirsh(p.libvirtUri, 'domid', uuid).trim()).toBe(domid);
      const gaps = writerGapsMs(await readWriterSamples(agent));
      expect(Math.max(0, ...gaps)).toBeLessThan(1_000);
      expect(await markers()).toEqual(['marker 1', 'marker 2']);
    } finally {
      await setWriter(agent, false).catch(() => undefined);
      await restoreAgentGuest();
    }
  }, 400_000);
});
