import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestExec, readWriterSamples, setWriter, writerGapsMs } from '../lab/lab';
import { inspectImage, writeGuestMarker, removeGuestMarkers } from '../support/consistency';
import { exportDestination, exportGuest, waitAgent } from '../support/export-guest';
import { useLabSession, waitExport } from '../support/lab-fixture';
import { fsfreezeStatus, labVirsh } from '../support/snapshot-helpers';
import { ExportManifestSchema, type ExportSummary } from '../../shared/export';
import { startOwnSshd } from '../host/own-sshd';

/**
 * Lab tier: consistent image export through the services, on libvirt 9.0 / QEMU 7.2. The agent
 * guest is exported while its writer runs (full, then incremental after a marker); both verify;
 * the incremental, restored through export.restore, boots as a new domain (new name and UUID, no
 * NIC, a standalone image) with the marker there and its filesystem clean; an export cancelled half-way leaves no
 * complete-looking file and no job; a restore cancelled while it copies leaves no image and no
 * domain. Every domain, checkpoint and file made here is removed.
 */
const lab = useLabSession();
let dest: { dir: string; remove: () => void };
/** The exports the first test made (full, incremental), for the copy test. */
let chain: { full: string; inc: string; marker: string } | undefined;
const cleanups: (() => void)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const checkpoints = (domain: string) =>
  labVirsh(lab.p.libvirtUri, 'checkpoint-list', domain, '--name')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
function deleteQuiesceCheckpoints(domain: string): void {
  // newest first: each delete merges its bitmap into its parent
  for (const cp of checkpoints(domain)
    .filter((c) => c.startsWith('quiesce-'))
    .reverse()) {
    try {
      labVirsh(lab.p.libvirtUri, 'checkpoint-delete', domain, cp);
    } catch {
      /* gone with a parent */
    }
  }
}
const manifestAt = (folder: string) =>
  ExportManifestSchema.parse(JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')));
const sha256 = (file: string) =>
  execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

beforeAll(() => {
  dest = exportDestination('lab');
});
afterAll(async () => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      /* the next one still runs */
    }
  }
  await setWriter(lab.name, false).catch(() => undefined);
  await removeGuestMarkers(lab.name);
  deleteQuiesceCheckpoints(lab.name);
  dest?.remove();
}, 240_000);

describe('consistent image export on libvirt 9.0 (push backup + checkpoints)', () => {
  it('full, then incremental while the writer runs; both verify; the incremental restores as a new domain', async () => {
    const { p, h, hostId, uuid, name: agent } = lab;
    await setWriter(agent, true);
    const full = await h.call('export.start', { hostId, uuid, dest: dest.dir, mode: 'full' });
    const f = await waitExport(h, hostId, full.opId);
    expect(f, JSON.stringify(f)).toMatchObject({
      state: 'succeeded',
      mode: 'full',
      consistency: { label: 'quiesced' },
    });
    expect(f.windowMs).toBeGreaterThan(0);
    expect(f.progress?.total).toBeGreaterThan(0);
    expect(fsfreezeStatus(p.libvirtUri, agent)).toBe('thawed');

    // written without a sync: only the incremental's freeze puts it on the exported image
    const marker = await writeGuestMarker(agent, 'export');
    const inc = await h.call('export.start', { hostId, uuid, dest: dest.dir, mode: 'incremental' });
    const i = await waitExport(h, hostId, inc.opId);
    expect(i, JSON.stringify(i)).toMatchObject({
      state: 'succeeded',
      mode: 'incremental',
      parent: full.opId,
      consistency: { label: 'quiesced' },
    });
    chain = { full: full.opId, inc: inc.opId, marker: marker.fsPath };
    const gaps = writerGapsMs(await readWriterSamples(agent));
    await setWriter(agent, false);
    // the guest wrote on during both copies: its longest blocked write is the freeze, not a copy
    const maxGap = Math.max(...gaps);
    console.log(
      `export windows: full ${f.windowMs} ms, incremental ${i.windowMs} ms; writer max gap ${maxGap} ms; ` +
        `copied ${f.progress?.total} then ${i.progress?.total} bytes`,
    );
    expect(maxGap).toBeLessThan(Math.max(f.windowMs ?? 0, i.windowMs ?? 0) + 1000);
    // an incremental carries only the changed blocks
    expect(i.progress!.total).toBeLessThan(f.progress!.total);

    const fullDir = join(dest.dir, uuid, full.opId);
    const incDir = join(dest.dir, uuid, inc.opId);
    for (const [dir, id] of [
      [fullDir, full.opId],
      [incDir, inc.opId],
    ] as const) {
      const v = await h.call('export.verify', { hostId, uuid, dest: dest.dir, exportId: id });
      expect(v, JSON.stringify(v)).toMatchObject({ ok: true, problems: [] });
      const m = manifestAt(dir);
      expect(m.disks.map((d) => d.target)).toEqual(['vda']);
      expect(sha256(join(dir, 'vda.qcow2'))).toBe(m.disks[0]!.sha256);
      expect(m.consistency.label).toBe('quiesced');
    }
    const mi = manifestAt(incDir);
    expect(mi).toMatchObject({
      mode: 'incremental',
      parent: full.opId,
      incrementalFrom: `quiesce-${full.opId}`,
      checkpoint: `quiesce-${inc.opId}`,
    });
    const vi = await h.call('export.verify', { hostId, uuid, dest: dest.dir, exportId: inc.opId });
    expect(vi.chain).toEqual([{ exportId: full.opId, present: true }]);
    // the backing file is the previous export in the destination, not the live disk
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '-U', '--output=json', join(incDir, 'vda.qcow2')], {
        encoding: 'utf8',
      }),
    ) as { 'full-backing-filename': string };
    expect(resolve(info['full-backing-filename'])).toBe(join(fullDir, 'vda.qcow2'));
    // both checkpoints are libvirt's: the next incremental builds on the last
    expect(checkpoints(agent)).toEqual([`quiesce-${full.opId}`, `quiesce-${inc.opId}`]);

    // the images as they are: ext4 needs no recovery, and the marker is in the incremental only
    const fullImg = inspectImage(join(fullDir, 'vda.qcow2'), [marker.fsPath]);
    expect(fullImg.needsRecovery, fullImg.features).toBe(false);
    expect(fullImg.files[marker.fsPath]).toBeNull();
    const incImg = inspectImage(join(incDir, 'vda.qcow2'), [marker.fsPath]);
    expect(incImg.needsRecovery, incImg.features).toBe(false);
    expect(incImg.files[marker.fsPath]).toBe(marker.content);

    // restore the incremental as a new domain through the service: its chain copied into one
    // standalone image in a folder of the host, a new name and UUID, no interface, started
    const restoreDir = exportDestination('restore');
    cleanups.push(restoreDir.remove);
    const name = `quiesce-export-restored-${inc.opId.slice(-8)}`;
    const undefine = () => {
      for (const cmd of ['destroy', 'undefine']) {
        try {
          labVirsh(p.libvirtUri, cmd, name);
        } catch {
          /* not running, or gone */
        }
      }
    };
    cleanups.push(undefine);
    const t0 = Date.now();
    const restored = await h.call('export.restore', {
      hostId,
      uuid,
      dest: dest.dir,
      exportId: inc.opId,
      name,
      folder: restoreDir.dir,
      start: true,
    });
    const restoreMs = Date.now() - t0;
    // the copy's progress reached the renderer's event stream: from nothing to the whole image
    const progress = h.events.flatMap((e) =>
      e.type === 'restore-progress' && e.exportId === inc.opId && e.uuid === uuid ? [e.disk] : [],
    );
    expect(progress[0]).toMatchObject({ target: 'vda', done: 0 });
    expect(progress.at(-1)).toMatchObject({ target: 'vda', etaS: 0 });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    expect(progress.at(-1)!.total).toBeGreaterThan(0);
    const disk = join(restoreDir.dir, `${name}-vda.qcow2`);
    expect(restored).toMatchObject({
      name,
      started: true,
      disks: [{ target: 'vda', image: disk }],
    });
    expect(restored.uuid).not.toBe(uuid);
    const bootMs = await waitAgent(name);
    const xml = labVirsh(p.libvirtUri, 'dumpxml', restored.uuid);
    expect(xml).not.toMatch(/<interface/);
    expect(xml).toContain(`<name>${name}</name>`);
    expect(labVirsh(p.libvirtUri, 'dominfo', restored.uuid)).toMatch(/Persistent:\s+yes/);
    // a standalone image: the restored domain does not depend on the export staying there
    const rinfo = JSON.parse(
      execFileSync('qemu-img', ['info', '-U', '--output=json', disk], { encoding: 'utf8' }),
    ) as { 'backing-filename'?: string };
    expect(rinfo['backing-filename']).toBeUndefined();
    const seen = await guestExec(name, '/bin/cat', [marker.guestPath]);
    expect(seen.stdout).toBe(marker.content);
    const dmesg = await guestExec(name, '/bin/dmesg');
    expect(dmesg.stdout).not.toMatch(/recovery complete|orphan cleanup/);
    const mounts = await guestExec(name, '/bin/cat', ['/proc/mounts']);
    expect(mounts.stdout).toMatch(/\/dev\/vda \/data ext4 rw/);
    console.log(
      `export.restore took ${restoreMs} ms (${progress.length} progress events, ${progress.at(-1)!.total} bytes); the restored domain answered ${bootMs} ms later`,
    );
    // a second restore under the same name overwrites nothing
    await expect(
      h.call('export.restore', {
        hostId,
        uuid,
        dest: dest.dir,
        exportId: inc.opId,
        name,
        folder: restoreDir.dir,
        start: false,
      }),
    ).rejects.toThrow(/exists already/);
    undefine();
  }, 600_000);

  it('copies the incremental to the workstation and to a second SSH host: chain, checksums, manifest last', async () => {
    const { h, hostId, uuid } = lab;
    expect(chain, 'the first test made a full and an incremental export').toBeDefined();
    const { full, inc, marker } = chain!;
    // the workstation: a local folder; the incremental brings its full export along
    const ws = mkdtempSync(join(tmpdir(), 'quiesce-export-ws-'));
    cleanups.push(() => rmSync(ws, { recursive: true, force: true }));
    const toWs = await h.call('export.copy', {
      hostId,
      uuid,
      dest: dest.dir,
      exportId: inc,
      to: { kind: 'workstation', folder: ws },
    });
    expect(toWs.copied).toEqual([full, inc]);
    const local = join(ws, uuid, inc, 'vda.qcow2');
    expect(sha256(local)).toBe(manifestAt(join(ws, uuid, inc)).disks[0]!.sha256);
    const localImg = inspectImage(local, [marker]);
    expect(localImg.needsRecovery).toBe(false);
    expect(localImg.files[marker]).not.toBeNull();
    expect(filesUnder(ws).filter((f) => f.endsWith('.partial'))).toEqual([]);
    // copied again: the full export is there already, only the incremental comes
    expect(
      (
        await h.call('export.copy', {
          hostId,
          uuid,
          dest: dest.dir,
          exportId: inc,
          to: { kind: 'workstation', folder: ws },
        })
      ).copied,
    ).toEqual([inc]);

    // a second SSH host (a backup box): added like a host, its key accepted by fingerprint
    const box = await startOwnSshd({
      hostKeyTypes: ['ed25519'],
      extraConfig: ['Subsystem sftp /usr/lib/openssh/sftp-server'],
    });
    cleanups.push(() => void box.stop());
    const boxDir = mkdtempSync(join(tmpdir(), 'quiesce-export-box-'));
    cleanups.push(() => rmSync(boxDir, { recursive: true, force: true }));
    const boxHost = await h.call('hosts.save', {
      name: 'backup box',
      address: box.address,
      port: box.port,
      user: box.user,
      auth: { kind: 'key' as const, keyPath: box.clientKey },
      libvirtUri: 'test:///default',
    });
    const first = await h.call('hosts.connect', { hostId: boxHost.id });
    if (first.status !== 'host-key-unknown') throw new Error(`asked no question: ${first.status}`);
    const ok = await h.call('hosts.connect', {
      hostId: boxHost.id,
      trust: { fingerprint: first.hostKey.fingerprint, save: false },
    });
    expect(ok.status).toBe('connected');
    const toBox = await h.call('export.copy', {
      hostId,
      uuid,
      dest: dest.dir,
      exportId: inc,
      to: { kind: 'host', hostId: boxHost.id, folder: boxDir },
    });
    expect(toBox.copied).toEqual([full, inc]);
    for (const id of [full, inc]) {
      const m = manifestAt(join(boxDir, uuid, id));
      expect(sha256(join(boxDir, uuid, id, 'vda.qcow2'))).toBe(m.disks[0]!.sha256);
    }
    const boxImg = inspectImage(join(boxDir, uuid, inc, 'vda.qcow2'), [marker]);
    expect(boxImg.needsRecovery).toBe(false);
    expect(boxImg.files[marker]).not.toBeNull();
    await h.call('hosts.disconnect', { hostId: boxHost.id });
  }, 600_000);

  it('cancelled half-way: no complete-looking file, no job left on libvirt, no checkpoint; a restore cancelled while it copies: nothing', async () => {
    const { p, h, hostId, uuid } = lab;
    // 900 MiB written: the copy lasts about a second here, long enough to cancel half-way
    const big = await exportGuest(p.libvirtUri, uuid, { diskMiB: 1024, filledMiB: 900 });
    cleanups.push(big.remove);
    const { opId } = await h.call('export.start', {
      hostId,
      uuid: big.uuid,
      dest: dest.dir,
      mode: 'full',
    });
    let halfway: ExportSummary | undefined;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(100)) {
      const s = await h.call('export.get', { hostId, opId });
      if (s.state !== 'running') break;
      if (s.progress && s.progress.done < s.progress.total) {
        halfway = s;
        break;
      }
    }
    expect(halfway, 'the copy was seen under way').toBeDefined();
    await h.call('export.cancel', { hostId, opId });
    const s = await waitExport(h, hostId, opId);
    expect(s, JSON.stringify(s)).toMatchObject({ state: 'failed', cancelled: true });
    console.log(
      `cancelled at ${halfway!.progress!.done} of ${halfway!.progress!.total} bytes (${halfway!.progress!.rate} B/s)`,
    );
    const left = filesUnder(dest.dir).filter((f) => f.includes(opId));
    expect(left).toEqual([]);
    expect(labVirsh(p.libvirtUri, 'domjobinfo', big.uuid)).toMatch(/Job type:\s+None/);
    expect(checkpoints(big.uuid)).toEqual([]);
    expect(fsfreezeStatus(p.libvirtUri, big.name)).toBe('thawed');

    // the same guest exported whole, then restored as a new domain and cancelled while the
    // restore copies its 900 MiB (export.restoreCancel, by the id given to export.restore)
    const whole = await h.call('export.start', {
      hostId,
      uuid: big.uuid,
      dest: dest.dir,
      mode: 'full',
    });
    const w = await waitExport(h, hostId, whole.opId);
    expect(w, JSON.stringify(w)).toMatchObject({ state: 'succeeded' });
    const images = exportDestination('lab-restore-cancel');
    cleanups.push(images.remove);
    const restoreId = `lab-${whole.opId}`;
    const name = 'quiesce-lab-restore-cancelled';
    const t0 = Date.now();
    const restoring = h.call('export.restore', {
      hostId,
      uuid: big.uuid,
      dest: dest.dir,
      exportId: whole.opId,
      name,
      folder: images.dir,
      restoreId,
    });
    const copying = () =>
      h.events.some((e) => e.type === 'restore-progress' && e.exportId === whole.opId);
    for (const deadline = Date.now() + 60_000; !copying() && Date.now() < deadline;)
      await sleep(20);
    expect(copying(), 'the restore was seen copying').toBe(true);
    const askedMs = Date.now() - t0;
    await h.call('export.restoreCancel', { hostId, restoreId });
    const r = await restoring;
    const cancelMs = Date.now() - t0;
    expect(r, JSON.stringify(r)).toMatchObject({ cancelled: true, disks: [] });
    const last = h.events.flatMap((e) =>
      e.type === 'restore-progress' && e.exportId === whole.opId ? [e.disk] : [],
    );
    expect(last.at(-1)!.done).toBeLessThan(last.at(-1)!.total);
    expect(filesUnder(images.dir)).toEqual([]);
    expect(labVirsh(p.libvirtUri, 'list', '--all', '--name')).not.toContain(name);
    await expect(h.call('export.restoreCancel', { hostId, restoreId })).rejects.toThrow(
      /not running/,
    );
    console.log(
      `restore cancelled: asked ${askedMs} ms after the call began, answered cancelled at ${cancelMs} ms, at ${last.at(-1)!.done} of ${last.at(-1)!.total} bytes`,
    );
  }, 600_000);
});
