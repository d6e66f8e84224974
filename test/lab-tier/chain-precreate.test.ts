import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  labHostDraft,
  labProfile,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';
import { deleteAllSnapshots, waitForEnd } from '../support/snapshot-helpers';

/**
 * The second snapshot of a chain sits on an overlay libvirt gave to QEMU's user (0600): the
 * runner must still pre-create the next overlay before the freeze, from libvirt's facts.
 */
let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
beforeAll(() => {
  p = labProfile();
  h = serviceHarness({ knownHosts: readFileSync(p.knownHostsPath, 'utf8') });
});
afterAll(() => {
  deleteAllSnapshots(p.libvirtUri, p.guests.find((g) => g.role === 'agent')!.uuid);
  h.dispose();
});

it('pre-creates the overlay for every snapshot of a chain, not only the first', async () => {
  const uuid = p.guests.find((g) => g.role === 'agent')!.uuid;
  const hostId = (await h.call('hosts.save', labHostDraft(p))).id;
  await h.call('hosts.connect', { hostId });
  for (const name of ['chain-a', 'chain-b']) {
    const s = await waitForEnd(h, (await h.call('snapshot.start', { hostId, uuid, name })).opId);
    expect(s, name).toMatchObject({ state: 'succeeded', overlays: 'precreated' });
  }
});
