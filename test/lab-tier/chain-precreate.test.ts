import { expect, it } from 'vitest';
import { useLabSession } from '../support/lab-fixture';
import { deleteAllSnapshots, waitForEnd } from '../support/snapshot-helpers';
import {
  frozenImageOfLatestSnapshot,
  inspectImage,
  removeGuestMarkers,
  writeGuestMarker,
} from '../support/consistency';
import { failIfLeftFrozen } from '../support/lab-guard';

/**
 * The second snapshot of a chain sits on an overlay libvirt gave to QEMU's user (0600): the
 * runner must still pre-create the next overlay before the freeze, from libvirt's facts — and
 * every snapshot of the chain, not only the first, must be consistent.
 */
const lab = useLabSession();
const agent = () => lab.p.guests.find((g) => g.role === 'agent')!;
failIfLeftFrozen({
  cleanup: async () => {
    deleteAllSnapshots(lab.p.libvirtUri, agent().uuid);
    await removeGuestMarkers(agent().name);
  },
});

it('pre-creates the overlay for every snapshot of a chain, and each one is consistent', async () => {
  const { uuid, name: domain } = agent();
  // Its own starting point: no snapshot, so chain-a is the first of the chain and chain-b the second.
  deleteAllSnapshots(lab.p.libvirtUri, uuid);
  for (const name of ['chain-a', 'chain-b']) {
    const marker = await writeGuestMarker(domain, name);
    const s = await waitForEnd(
      lab.h,
      (await lab.h.call('snapshot.start', { hostId: lab.hostId, uuid, name })).opId,
    );
    expect(s, name).toMatchObject({
      state: 'succeeded',
      overlays: 'precreated',
      label: { kind: 'quiesced', filesystems: 1 },
    });
    // The image as of this cut: the backing file of the overlay the guest writes to now.
    const { overlay, frozen } = frozenImageOfLatestSnapshot(lab.p.libvirtUri, uuid);
    expect(s.disks[0], name).toMatchObject({ overlay, backing: frozen });
    const img = inspectImage(frozen, [marker.fsPath]);
    expect(img.needsRecovery, `${name}: ${img.features}`).toBe(false);
    expect(img.files[marker.fsPath], `${name}: marker written just before`).toBe(marker.content);
  }
});
