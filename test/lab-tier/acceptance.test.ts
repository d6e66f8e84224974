import { describe, expect, it } from 'vitest';
import { setWriter } from '../lab/lab';
import { useLabSession } from '../support/lab-fixture';
import { deleteAllSnapshots, labVirsh, waitForEnd } from '../support/snapshot-helpers';
import {
  frozenImageOfLatestSnapshot,
  inspectImage,
  removeGuestMarkers,
  writeGuestMarker,
} from '../support/consistency';
import { failIfLeftFrozen } from '../support/lab-guard';

/**
 * Issue 8, acceptance (lab tier): a snapshot of the agent guest while its writer runs is clean in
 * its frozen image — for every snapshot of a chain, with a marker written just before each one
 * read back from that image — and a crash-consistent one needs recovery and is labelled so.
 * Every verdict comes from the host's own tools (virsh domblklist, qemu-img info, dumpe2fs,
 * debugfs) on the image as of the cut, never from the file the app names.
 */
const lab = useLabSession();
const agent = () => lab.p.guests.find((g) => g.role === 'agent')!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

failIfLeftFrozen({
  cleanup: async () => {
    const { uuid, name } = agent();
    if (labVirsh(lab.p.libvirtUri, 'domstate', uuid).trim() === 'paused')
      labVirsh(lab.p.libvirtUri, 'resume', uuid);
    await setWriter(name, false).catch(() => undefined);
    deleteAllSnapshots(lab.p.libvirtUri, uuid);
    await removeGuestMarkers(name);
  },
});

describe('issue 8 acceptance: the frozen image says what the label says', () => {
  it('quiesced, writer running: every snapshot of a chain is ext4-clean and holds the marker written just before it', async () => {
    const { uuid, name: domain } = agent();
    deleteAllSnapshots(lab.p.libvirtUri, uuid); // its own starting point: the first of a new chain
    await setWriter(domain, true);
    await sleep(1000);
    for (const name of ['accept-1', 'accept-2']) {
      const marker = await writeGuestMarker(domain, name);
      const s = await waitForEnd(
        lab.h,
        (await lab.h.call('snapshot.start', { hostId: lab.hostId, uuid, name })).opId,
      );
      expect(s, name).toMatchObject({
        state: 'succeeded',
        label: { kind: 'quiesced', filesystems: 1 },
      });
      const { overlay, frozen } = frozenImageOfLatestSnapshot(lab.p.libvirtUri, uuid);
      expect(s.disks[0], `${name}: the app names the files libvirt and QEMU name`).toMatchObject({
        overlay,
        backing: frozen,
      });
      const img = inspectImage(frozen, [marker.fsPath]);
      expect(img.needsRecovery, `${name}: ${frozen} features: ${img.features}`).toBe(false);
      expect(img.files[marker.fsPath], `${name}: marker written just before the freeze`).toBe(
        marker.content,
      );
    }
    await setWriter(domain, false);
  });

  it('crash-consistent (guest paused, writer running, allow-crash-consistent): needs recovery, labelled crash-consistent with the reason', async () => {
    // A paused guest's dirty pages and open ext4 journal are in its memory: its disk-only
    // snapshot needs recovery like a crash, and must say so, not "paused" (docs/ARCHITECTURE.md,
    // "Labels say only what the host confirmed").
    const { uuid, name: domain } = agent();
    deleteAllSnapshots(lab.p.libvirtUri, uuid);
    await setWriter(domain, true);
    await sleep(1000);
    await writeGuestMarker(domain, 'paused');
    labVirsh(lab.p.libvirtUri, 'suspend', uuid);
    let s;
    try {
      const { opId } = await lab.h.call('snapshot.start', {
        hostId: lab.hostId,
        uuid,
        name: 'accept-paused',
        policy: 'allow-crash-consistent',
      });
      s = await waitForEnd(lab.h, opId);
    } finally {
      labVirsh(lab.p.libvirtUri, 'resume', uuid);
    }
    await setWriter(domain, false);
    expect(s.state).toBe('succeeded');
    const { frozen } = frozenImageOfLatestSnapshot(lab.p.libvirtUri, uuid);
    const img = inspectImage(frozen);
    // The image first (the host's fact), then the label that must match it.
    expect(img.needsRecovery, `${frozen} features: ${img.features}`).toBe(true);
    expect(s.label).toMatchObject({ kind: 'crash-consistent', reason: expect.any(String) });
    expect(s.label?.kind === 'crash-consistent' && s.label.reason).toMatch(/paus/i);
    expect(s.windowMs).toBeNull();
  });
});
