import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestExec } from '../lab/lab';
import {
  frozenImageOfLatestSnapshot,
  inspectImage,
  removeGuestMarkers,
  writeGuestMarker,
} from '../support/consistency';
import { exportDestination } from '../support/export-guest';
import { useAgentGuest, waitExport } from '../support/lab-fixture';
import { fsfreezeStatus, labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { ExportManifestSchema } from '../../shared/export';

/**
 * Lab tier: an existing Quiesce snapshot of the agent guest exported to a host folder
 * (export.start with `snapshot`, docs/export.md "An existing snapshot, with no freeze at all").
 * The export is the snapshot's frozen image, byte for byte as the guest sees it: a marker
 * written (unsynced) before the snapshot is in it, one written after is not; it verifies; its
 * manifest names the snapshot, carries the snapshot's own label and no freeze window of its own;
 * libvirt ran no job and made no checkpoint. The agent guest is put back as it was found.
 */
const ag = useAgentGuest({ session: true });
let dest: ReturnType<typeof exportDestination> | undefined;
const name = `exp-snap-${Date.now().toString(36)}`;
const later = `exp-snap-b-${Date.now().toString(36)}`;
const earlier = `exp-snap-a-${Date.now().toString(36)}`;
const checkpoints = () =>
  labVirsh(ag.p.libvirtUri, 'checkpoint-list', ag.uuid, '--name')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

beforeAll(() => {
  dest = exportDestination('snap');
});
/** The lab's SSH user's uid (test/lab/sshd.ts makes it). */
const sshUid = () => Number(execFileSync('id', ['-u', ag.p.user], { encoding: 'utf8' }).trim());
/** dumpe2fs -h of a qcow2 image as a restore's first mount sees it: its state and features. */
function superblock(image: string): { state: string; features: string } {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-sb-'));
  try {
    const raw = join(dir, 'disk.raw');
    execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', image, raw]);
    const h = execFileSync('dumpe2fs', ['-h', raw], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return {
      state: /^Filesystem state:\s*(.*)$/m.exec(h)?.[1]?.trim() ?? '',
      features: /^Filesystem features:\s*(.*)$/m.exec(h)?.[1] ?? '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

afterAll(async () => {
  await removeGuestMarkers(ag.name);
  dest?.remove();
});

describe('export of an existing snapshot (no freeze of its own)', () => {
  it('copies the quiesced snapshot’s frozen image, verifies, and the manifest says the snapshot’s label', async () => {
    const { p, h, hostId } = ag;
    // unsynced: only the snapshot's freeze puts it on the frozen image
    const before = await writeGuestMarker(ag.name, 'before-snap');
    const { opId: snapOp } = await h.call('snapshot.start', {
      hostId,
      uuid: ag.uuid,
      name,
    });
    const snap = await waitForEnd(h, snapOp, 180_000);
    expect(snap, JSON.stringify(snap)).toMatchObject({
      state: 'succeeded',
      label: { kind: 'quiesced' },
    });
    const frozenFs = snap.label?.kind === 'quiesced' ? snap.label.filesystems : -1;
    expect(frozenFs).toBeGreaterThan(0);
    const { frozen } = frozenImageOfLatestSnapshot(p.libvirtUri, ag.uuid);
    // written after the cut (into the overlay): an export of the snapshot must not have it
    const after = await writeGuestMarker(ag.name, 'after-snap');
    await guestExec(ag.name, '/bin/sync');
    const checkpointsBefore = checkpoints();

    // an incremental asked for: a snapshot has no checkpoint, so it is full, with the reason
    const t0 = Date.now();
    const { opId } = await h.call('export.start', {
      hostId,
      uuid: ag.uuid,
      dest: dest!.dir,
      mode: 'incremental',
      snapshot: name,
    });
    const s = await waitExport(h, hostId, opId);
    const ms = Date.now() - t0;
    expect(s, JSON.stringify(s)).toMatchObject({
      state: 'succeeded',
      modeAsked: 'incremental',
      mode: 'full',
      consistency: { label: 'quiesced', filesystems: frozenFs },
      windowMs: null,
      cancelled: false,
    });
    expect(s.fullReason).toMatch(/no checkpoint/);
    // nothing of the guest was touched: no freeze, cut or thaw phase ran
    const phases = s.phases.map((x) => x.phase);
    for (const no of ['freeze', 'cut', 'thaw'] as const) expect(phases).not.toContain(no);
    expect(phases).toEqual(expect.arrayContaining(['copy', 'verify', 'manifest']));
    expect(fsfreezeStatus(p.libvirtUri, ag.name)).toBe('thawed');
    expect(labVirsh(p.libvirtUri, 'domjobinfo', ag.uuid)).toMatch(/Job type:\s+None/);
    expect(checkpoints()).toEqual(checkpointsBefore);

    const v = await h.call('export.verify', {
      hostId,
      uuid: ag.uuid,
      dest: dest!.dir,
      exportId: opId,
    });
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, problems: [], chain: [] });

    const dir = join(dest!.dir, ag.uuid, opId);
    const m = ExportManifestSchema.parse(
      JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
    );
    expect(m).toMatchObject({
      exportId: opId,
      snapshot: name,
      mode: 'full',
      parent: null,
      incrementalFrom: null,
      consistency: { label: 'quiesced', filesystems: frozenFs },
    });
    expect(m.checkpoint).toBe('');
    // the snapshot's window was its own run's; the export froze nothing, so it has none
    expect(m.consistency).not.toHaveProperty('windowMs');
    expect(m.consistency).not.toHaveProperty('windowStartRt');
    expect(m.consistency).not.toHaveProperty('windowEndRt');
    expect(m.disks.map((d) => [d.target, d.backing, d.source])).toEqual([['vda', null, frozen]]);
    const image = join(dir, 'vda.qcow2');
    expect(execFileSync('sha256sum', [image], { encoding: 'utf8' }).split(' ')[0]).toBe(
      m.disks[0]!.sha256,
    );
    // the same data as the frozen image, and a standalone image
    execFileSync('qemu-img', ['compare', '-U', frozen, image]);
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '-U', '--output=json', image], { encoding: 'utf8' }),
    ) as { 'backing-filename'?: string };
    expect(info['backing-filename']).toBeUndefined();
    const img = inspectImage(image, [before.fsPath, after.fsPath]);
    expect(img.needsRecovery, img.features).toBe(false);
    expect(img.files[before.fsPath]).toBe(before.content);
    expect(img.files[after.fsPath]).toBeNull();
    console.log(
      `snapshot ${name} (quiesced, ${frozenFs} fs, window ${snap.windowMs} ms) exported in ${ms} ms: ` +
        `${s.progress?.total ?? '?'} bytes, no freeze`,
    );
  }, 600_000);

  it('exports the newer of two snapshots: its frozen image is the older one’s overlay, which the SSH user may not open', async () => {
    const { p, h, hostId } = ag;
    const snapshot = async (snapName: string) => {
      const { opId } = await h.call('snapshot.start', { hostId, uuid: ag.uuid, name: snapName });
      const r = await waitForEnd(h, opId, 180_000);
      expect(r, JSON.stringify(r)).toMatchObject({
        state: 'succeeded',
        label: { kind: 'quiesced' },
      });
      return r.label?.kind === 'quiesced' ? r.label.filesystems : -1;
    };
    // unsynced, each before its snapshot: only that snapshot's freeze puts it on its image
    const beforeA = await writeGuestMarker(ag.name, 'before-a');
    await snapshot(earlier);
    const overlayA = frozenImageOfLatestSnapshot(p.libvirtUri, ag.uuid).overlay;
    const beforeB = await writeGuestMarker(ag.name, 'before-b');
    const frozenFs = await snapshot(later);
    const { frozen } = frozenImageOfLatestSnapshot(p.libvirtUri, ag.uuid);
    expect(frozen).toBe(overlayA);
    const afterB = await writeGuestMarker(ag.name, 'after-b');
    await guestExec(ag.name, '/bin/sync');

    // what libvirt left the frozen image as: QEMU's user's, and neither the SSH user's nor
    // readable by others (the case this export must get past)
    const st = statSync(frozen);
    const owner = `${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`;
    expect(st.uid, owner).not.toBe(sshUid());
    expect(st.mode & 0o004, owner).toBe(0);
    const pools = () =>
      labVirsh(p.libvirtUri, 'pool-list', '--all', '--name')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    const poolsBefore = pools();

    const t0 = Date.now();
    const { opId } = await h.call('export.start', {
      hostId,
      uuid: ag.uuid,
      dest: dest!.dir,
      mode: 'full',
      snapshot: later,
    });
    const s = await waitExport(h, hostId, opId);
    const ms = Date.now() - t0;
    expect(s, JSON.stringify(s)).toMatchObject({
      state: 'succeeded',
      mode: 'full',
      consistency: { label: 'quiesced', filesystems: frozenFs },
      windowMs: null,
    });
    const prepare = s.phases.find((x) => x.phase === 'prepare' && x.status === 'done');
    expect(prepare?.detail, JSON.stringify(s.phases)).toMatch(/read through libvirt.*: vda/);
    expect(fsfreezeStatus(p.libvirtUri, ag.name)).toBe('thawed');
    // no pool of its own left in libvirt, the frozen image as it was (owner, mode, in use)
    expect(pools()).toEqual(poolsBefore);
    const st2 = statSync(frozen);
    expect(`${st2.uid}:${st2.gid} ${(st2.mode & 0o777).toString(8)}`).toBe(owner);
    expect(frozenImageOfLatestSnapshot(p.libvirtUri, ag.uuid).frozen).toBe(frozen);

    const v = await h.call('export.verify', {
      hostId,
      uuid: ag.uuid,
      dest: dest!.dir,
      exportId: opId,
    });
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, problems: [], chain: [] });
    const dir = join(dest!.dir, ag.uuid, opId);
    const m = ExportManifestSchema.parse(
      JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
    );
    expect(m).toMatchObject({ snapshot: later, consistency: { label: 'quiesced' } });
    expect(m.disks.map((d) => [d.target, d.backing, d.source])).toEqual([['vda', null, frozen]]);
    // only the image and the manifest: the copies of the layers read through libvirt are gone
    expect(
      execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter(Boolean),
    ).toEqual(['manifest.json', 'vda.qcow2']);
    const image = join(dir, 'vda.qcow2');
    // the same data as the guest's disk at the newer cut, and standalone
    execFileSync('qemu-img', ['compare', '-U', frozen, image]);
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '-U', '--output=json', image], { encoding: 'utf8' }),
    ) as { 'backing-filename'?: string };
    expect(info['backing-filename']).toBeUndefined();
    // as a restore of it would mount it: clean, no journal to replay, both snapshots' markers
    // there and the one written after the newer cut not
    const sb = superblock(image);
    expect(sb.state, sb.features).toBe('clean');
    expect(sb.features).not.toMatch(/needs_recovery/);
    const img = inspectImage(image, [beforeA.fsPath, beforeB.fsPath, afterB.fsPath]);
    expect(img.needsRecovery, img.features).toBe(false);
    expect(img.files[beforeA.fsPath]).toBe(beforeA.content);
    expect(img.files[beforeB.fsPath]).toBe(beforeB.content);
    expect(img.files[afterB.fsPath]).toBeNull();
    console.log(
      `snapshot ${later} (the newer of two, ${frozenFs} fs): frozen image ${frozen} is ${owner}; ` +
        `exported through libvirt in ${ms} ms, ${s.progress?.total ?? '?'} bytes; ` +
        `phases ${JSON.stringify(s.phases.map((x) => [x.phase, x.status]))}`,
    );
  }, 600_000);
});
