import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestExec } from '../lab/lab';
import { connectedLabSession } from '../support/service-harness';
import { labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { labUserHome } from '../support/lab-operations';
import { processGone, waitForAgent } from '../support/agent-guest-restore';
import { useAgentGuest, waitRevert } from '../support/lab-fixture';
import { readRevertLines } from '../../electron/services/revert/revert-journal';

/**
 * Lab tier, libvirt 9.0: the app's link AND the revert runner die in the middle of the stop
 * phase (the guest asked to shut down, not yet off): the app's session is closed (its SSH link
 * with it) and the runner's whole session SIGKILLed. The domain stays defined on files that
 * exist; a new app session reads the revert as lost; the next revert first rolls the killed one
 * back from its journal (waiting for the shutdown it had asked for, starting the guest again),
 * then reverts, and the guest boots on the snapshot. The agent guest is put back as it was found.
 */
type Session = Awaited<ReturnType<typeof connectedLabSession>>;
const ag = useAgentGuest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const definedDisks = () =>
  labVirsh(ag.p.libvirtUri, 'domblklist', ag.uuid, '--inactive', '--details')
    .split('\n')
    .map((l) => /^\s*file\s+disk\s+\S+\s+(.+)$/.exec(l)?.[1]?.trim())
    .filter((f): f is string => Boolean(f));
const markers = async () =>
  (await guestExec(ag.name, '/bin/sh', ['-c', 'cat /data/marker-* 2>/dev/null'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);

describe('revert: the app’s link and the runner killed mid-phase', () => {
  it('killed in stop: defined on existing files, lost to a new session, rolled back by the next revert, which then reverts', async () => {
    const { p, uuid, name: agent } = ag;
    let second: Session | undefined;
    try {
      const first = await connectedLabSession();
      await guestExec(agent, '/bin/sh', ['-c', 'echo marker 1 > /data/marker-1; sync']);
      const snap = await first.h.call('snapshot.start', {
        hostId: first.hostId,
        uuid,
        name: 'rvk-A',
      });
      expect(await waitForEnd(first.h, snap.opId)).toMatchObject({ state: 'succeeded' });
      await guestExec(agent, '/bin/sh', ['-c', 'echo marker 2 > /data/marker-2; sync']);
      const disksBefore = definedDisks();

      const { opId } = await first.h.call('revert.start', {
        hostId: first.hostId,
        uuid,
        target: { kind: 'snapshot', name: 'rvk-A' },
        stopTimeoutS: 60,
      });
      const journal = join(labUserHome(), '.quiesce', 'reverts', 'ops', opId, 'journal.jsonl');
      let pid = 0;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const lines = existsSync(journal) ? readRevertLines(readFileSync(journal, 'utf8')) : [];
        const start = lines.find((l) => l.ev === 'start');
        if (start?.ev === 'start') pid = start.pid;
        if (pid && lines.some((l) => l.ev === 'phase' && l.phase === 'stop')) break;
        if (Date.now() > deadline) throw new Error(`never reached stop: ${JSON.stringify(lines)}`);
        await sleep(20);
      }
      await sleep(300); // the shutdown asked for, the guest not off yet
      // the app and its link go first, then the runner with everything it ran
      first.h.dispose();
      process.kill(-pid, 'SIGKILL');
      for (let i = 0; i < 100 && !processGone(pid); i++) await sleep(50);
      expect(processGone(pid)).toBe(true);

      expect(() => labVirsh(p.libvirtUri, 'dominfo', uuid)).not.toThrow();
      expect(definedDisks()).toEqual(disksBefore);
      for (const f of definedDisks()) expect(existsSync(f), f).toBe(true);

      second = await connectedLabSession();
      const lost = await second.h.call('revert.get', { hostId: second.hostId, opId });
      expect(lost).toMatchObject({ state: 'lost' });
      expect(lost.phases.at(-1)).toMatchObject({ phase: 'stop', status: 'running' });

      const next = await second.h.call('revert.start', {
        hostId: second.hostId,
        uuid,
        target: { kind: 'snapshot', name: 'rvk-A' },
        stopTimeoutS: 60,
      });
      const s = await waitRevert(second.h, second.hostId, next.opId);
      expect(s, JSON.stringify(s)).toMatchObject({
        state: 'succeeded',
        outcome: 'finished',
        settled: [{ opId, act: 'rolled-back' }],
      });
      expect(await second.h.call('revert.get', { hostId: second.hostId, opId })).toMatchObject({
        state: 'failed',
        outcome: 'rolled-back',
      });
      // the guest boots on the snapshot, on files that exist; the killed run left no overlay
      await waitForAgent(agent, 120_000);
      expect(labVirsh(p.libvirtUri, 'domstate', uuid).trim()).toBe('running');
      for (const f of definedDisks()) expect(existsSync(f), f).toBe(true);
      expect(definedDisks()[0]).toContain(`revert-${next.opId}`);
      expect(existsSync(disksBefore[0]!.replace(/[^/]*$/, `data.revert-${opId}.qcow2`))).toBe(
        false,
      );
      expect(await markers()).toEqual(['marker 1']);
      const { branches } = await second.h.call('revert.branches', {
        hostId: second.hostId,
        uuid,
      });
      expect(branches.map((b) => b.id)).toEqual([next.opId]);
    } finally {
      second?.h.dispose();
    }
  }, 600_000);
});
