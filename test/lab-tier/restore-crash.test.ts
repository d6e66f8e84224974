import { afterAll, describe, expect, it } from 'vitest';
import { readWriterSamples, setWriter, writerGapsMs } from '../lab/lab';
import { connectedLabSession } from '../support/service-harness';
import { labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { expectCloneGone, useAgentGuest, waitRestoreTest } from '../support/lab-fixture';

/**
 * Lab tier, libvirt 9.0: the restore test of a crash-consistent snapshot. The guest writes
 * (the timestamp writer on /data) and is paused, so the policy that allows crash-consistent
 * snapshots takes one without a freeze: /data's ext4 journal is dirty in that image. Its restore
 * test must say the clone's kernel replayed the journal, with the kernel's own line as evidence;
 * the clone must be gone afterwards (no domain, no overlay, no QEMU process); the original guest
 * runs on without a write gap longer than a snapshot window while the clone boots; and the
 * result is kept on the host, read back by a new app session (restore.list).
 */
const ag = useAgentGuest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A snapshot window the writer may see: the quiesced restore test's bound (revert.test.ts). */
const SNAPSHOT_WINDOW_MS = 1_000;
afterAll(() => setWriter(ag.name, false).catch(() => undefined));

describe('restore test of a crash-consistent snapshot', () => {
  it('reports the journal recovery with the kernel’s words; clone gone; original never stopped; kept on the host', async () => {
    const { p, uuid, name: agent } = ag;
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
      const r = await waitRestoreTest(s.h, s.hostId, opId);
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
      expectCloneGone(p.libvirtUri, ag.dir, r.clone);

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
