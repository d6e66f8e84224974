import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readWriterSamples, setWriter, writerGapsMs } from '../lab/lab';
import { connectedLabSession, type LabProfileShape } from '../support/service-harness';
import { labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { captureAgentGuest, type AgentGuestSnapshot } from '../support/agent-guest-restore';
import type { RestoreTestResult } from '../../shared/restore-test';

/**
 * Lab tier, libvirt 9.0: the restore test of a crash-consistent snapshot. The guest writes
 * (the timestamp writer on /data) and is paused, so the policy that allows crash-consistent
 * snapshots takes one without a freeze: /data's ext4 journal is dirty in that image. Its restore
 * test must say the clone's kernel replayed the journal, with the kernel's own line as evidence;
 * the clone must be gone afterwards (no domain, no overlay, no QEMU process); the original guest
 * runs on without a write gap longer than a snapshot window while the clone boots; and the
 * result is kept on the host, read back by a new app session (restore.list).
 */
let p: LabProfileShape;
let uuid: string;
let agent: string;
let found: AgentGuestSnapshot;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A snapshot window the writer may see: the quiesced restore test's bound (revert.test.ts). */
const SNAPSHOT_WINDOW_MS = 1_000;

beforeAll(async () => {
  const s = await connectedLabSession();
  p = s.p;
  s.h.dispose();
  const g = p.guests.find((x) => x.role === 'agent')!;
  uuid = g.uuid;
  agent = g.name;
  found = await captureAgentGuest(p.libvirtUri, uuid, agent);
}, 120_000);
afterAll(async () => {
  await setWriter(agent, false).catch(() => undefined);
  await found.restore();
}, 240_000);

describe('restore test of a crash-consistent snapshot', () => {
  it('reports the journal recovery with the kernel’s words; clone gone; original never stopped; kept on the host', async () => {
    const s = await connectedLabSession();
    let opId = '';
    try {
      await setWriter(agent, true);
      await sleep(1_500); // writes in flight, journal transactions open
      labVirsh(p.libvirtUri, 'suspend', uuid);
      const snap = await s.h.call('snapshot.start', {
        hostId: s.hostId,
        uuid,
        name: 'rc-crash',
        policy: 'allow-crash-consistent',
      });
      const done = await waitForEnd(s.h, snap.opId);
      labVirsh(p.libvirtUri, 'resume', uuid);
      expect(done, JSON.stringify(done)).toMatchObject({
        state: 'succeeded',
        label: { kind: 'crash-consistent' },
      });
      // a fresh writer log for the restore test's own window
      await setWriter(agent, false);
      await setWriter(agent, true);
      const domid = labVirsh(p.libvirtUri, 'domid', uuid).trim();

      ({ opId } = await s.h.call('restore.start', { hostId: s.hostId, uuid, name: 'rc-crash' }));
      const deadline = Date.now() + 300_000;
      let r: RestoreTestResult = await s.h.call('restore.get', { hostId: s.hostId, opId });
      while (r.state === 'running' && Date.now() < deadline) {
        await sleep(500);
        r = await s.h.call('restore.get', { hostId: s.hostId, opId });
      }
      const samples = await readWriterSamples(agent);
      await setWriter(agent, false);
      expect(r, JSON.stringify(r)).toMatchObject({
        state: 'succeeded',
        restorable: true,
        recovery: true,
        cloneGone: true,
        snapshot: 'rc-crash',
      });
      // the evidence: the clone's kernel replayed /data's journal when it mounted it
      expect(r.evidence).toMatch(/EXT4-fs \(vda\): recovery complete/);
      expect(r.filesystems.map((f) => f.mountpoint)).toContain('/data');

      // the clone is gone: no domain, no overlay, no QEMU process
      expect(r.clone).toMatch(/restoretest/);
      expect(labVirsh(p.libvirtUri, 'list', '--all', '--name')).not.toContain(r.clone!);
      expect(readdirSync(found.dir).filter((f) => f.includes('restoretest'))).toEqual([]);
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(r.clone!);

      // the original never stopped: same QEMU process, and its writer kept writing
      expect(labVirsh(p.libvirtUri, 'domid', uuid).trim()).toBe(domid);
      expect(samples.length).toBeGreaterThan(100);
      expect(Math.max(0, ...writerGapsMs(samples))).toBeLessThan(SNAPSHOT_WINDOW_MS);
    } finally {
      s.h.dispose();
    }

    // kept on the host: a new app session lists it with the same verdict
    const later = await connectedLabSession();
    try {
      const { results } = await later.h.call('restore.list', { hostId: later.hostId, uuid });
      expect(results[0]).toMatchObject({
        opId,
        snapshot: 'rc-crash',
        state: 'succeeded',
        recovery: true,
        cloneGone: true,
      });
      expect(results[0]!.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      later.h.dispose();
    }
  }, 600_000);
});
