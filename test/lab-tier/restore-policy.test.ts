import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../shared/events';
import { connectedLabSession } from '../support/service-harness';
import { waitForEnd } from '../support/snapshot-helpers';
import { expectCloneGone, useAgentGuest } from '../support/lab-fixture';

/**
 * Lab tier, libvirt 9.0: the agent guest's choice "test restore after each snapshot" is turned
 * on (snapshot.setDefaults), a snapshot is taken through the services without saying anything
 * about restore tests, and the services start a restore test of that new snapshot by themselves
 * once its runner is gone: its result (restorable, /data mounted clean) is kept on the host
 * under that snapshot (restore.list), and the clone is gone afterwards. A snapshot whose dialog
 * turned the choice off for that run gets no test.
 */
const ag = useAgentGuest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type RestoreTestEvent = AppEvent & { type: 'restore-test' };
const policyEvents = (events: AppEvent[]) =>
  events.filter((e): e is RestoreTestEvent => e.type === 'restore-test');

describe('restore test after each snapshot (the domain’s choice)', () => {
  it('a snapshot taken through the services is tested by itself: restorable, clean, clone gone', async () => {
    const { uuid } = ag;
    const s = await connectedLabSession();
    try {
      await s.h.call('snapshot.setDefaults', {
        hostId: s.hostId,
        uuid,
        policy: 'require',
        maxFreezeS: 10,
        testRestore: true,
      });
      expect(await s.h.call('snapshot.defaults', { hostId: s.hostId, uuid })).toMatchObject({
        testRestore: true,
        remembered: true,
      });

      const t0 = Date.now();
      const snap = await s.h.call('snapshot.start', { hostId: s.hostId, uuid, name: 'rp-policy' });
      const done = await waitForEnd(s.h, snap.opId);
      expect(done, JSON.stringify(done)).toMatchObject({
        state: 'succeeded',
        label: { kind: 'quiesced' },
      });

      // how long the services took to launch the test once the snapshot had ended
      const ended = Date.now();
      let launchMs: number | undefined;
      const deadline = Date.now() + 300_000;
      while (
        !policyEvents(s.h.events).some((e) => e.state !== 'started') &&
        Date.now() < deadline
      ) {
        if (launchMs === undefined && policyEvents(s.h.events).length > 0)
          launchMs = Date.now() - ended;
        await sleep(100);
      }
      const said = policyEvents(s.h.events);
      console.log(`snapshot + policy restore test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      expect(said, JSON.stringify(said)).toEqual([
        expect.objectContaining({ state: 'started', uuid, snapshot: 'rp-policy' }),
        expect.objectContaining({
          state: 'ended',
          uuid,
          snapshot: 'rp-policy',
          restorable: true,
          message: null,
        }),
      ]);
      const opId = said[0]!.opId!;
      expect(said[1]!.opId).toBe(opId);

      // the history's list shows it under that snapshot, as any "Test restore"
      const { results } = await s.h.call('restore.list', { hostId: s.hostId, uuid });
      const r = results.find((x) => x.opId === opId);
      expect(r, JSON.stringify(results)).toMatchObject({
        snapshot: 'rp-policy',
        state: 'succeeded',
        restorable: true,
        recovery: false,
        cloneGone: true,
      });
      expect(r!.filesystems.map((f) => f.mountpoint)).toContain('/data');

      // the clone is gone: no domain, no overlay, no QEMU process
      expectCloneGone(ag.p.libvirtUri, ag.dir, r!.clone);

      // turned off in the dialog for one run: that snapshot is not tested
      const before = s.h.events.length;
      const off = await s.h.call('snapshot.start', {
        hostId: s.hostId,
        uuid,
        name: 'rp-off',
        testRestore: false,
      });
      expect(await waitForEnd(s.h, off.opId)).toMatchObject({ state: 'succeeded' });
      // Twice the launch seen above (the runner going, then the test's start), 5 s at the most:
      // a test the services wrongly started for this snapshot has said so by then.
      await sleep(Math.min(5_000, Math.max(1_500, 2 * (launchMs ?? 5_000))));
      expect(policyEvents(s.h.events.slice(before))).toEqual([]);
      const again = await s.h.call('restore.list', { hostId: s.hostId, uuid });
      expect(again.results.filter((x) => x.snapshot === 'rp-off')).toEqual([]);
    } finally {
      s.h.dispose();
    }
  }, 600_000);
});
