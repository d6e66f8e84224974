import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestExec } from '../lab/lab';
import { inspectImage, writeGuestMarker } from '../support/consistency';
import { exportDestination, waitAgent } from '../support/export-guest';
import { throwawayDomain } from '../support/throwaway-domain';
import {
  connectedLabSession,
  type LabProfileShape,
  type serviceHarness,
} from '../support/service-harness';
import { labVirsh } from '../support/snapshot-helpers';
import type { ExportSummary } from '../../shared/export';

/**
 * Lab tier: restore from an export OVER the original domain (export.restoreOriginal), on
 * libvirt 9.0 / QEMU 7.2. A throwaway persistent domain (never the shared agent guest: it is
 * stopped and repointed here) is exported, a marker written after it, then the export restored
 * over it after a preview: the domain keeps its name and UUID, boots from the new standalone
 * image with the marker gone and its ext4 clean, and its old image is still there, marker and
 * all. Everything made here is removed.
 */
let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
let hostId: string;
const cleanups: (() => void)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ({ p, h, hostId } = await connectedLabSession());
}, 120_000);
afterAll(() => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      /* the next one still runs */
    }
  }
  h?.dispose();
}, 120_000);

async function waitExport(opId: string, timeoutMs = 300_000): Promise<ExportSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await h.call('export.get', { hostId, opId });
    if (s.state !== 'running' || Date.now() > deadline) return s;
    await sleep(250);
  }
}

describe('restore from an export over the original domain', () => {
  it('previews, stops it, repoints it at the restored image, starts it: the marker is gone, the old image kept', async () => {
    const uri = p.libvirtUri;
    const agent = p.guests.find((x) => x.role === 'agent')!;
    const g = await throwawayDomain(uri, agent.uuid, { diskMiB: 64, filledMiB: 4 });
    cleanups.push(g.remove);
    const { name, uuid } = g;
    const dest = exportDestination('over');
    cleanups.push(dest.remove);
    const restoreDir = exportDestination('over-images');
    cleanups.push(restoreDir.remove);

    const before = await writeGuestMarker(name, 'before-export');
    const ex = await h.call('export.start', { hostId, uuid, dest: dest.dir, mode: 'full' });
    const e = await waitExport(ex.opId);
    expect(e, JSON.stringify(e)).toMatchObject({ state: 'succeeded', mode: 'full' });
    const after = await writeGuestMarker(name, 'after-export');

    const req = { hostId, uuid, dest: dest.dir, exportId: ex.opId, folder: restoreDir.dir };
    const preview = await h.call('export.restoreOriginal', { ...req, stopTimeoutS: 60 });
    expect(preview.applied).toBeNull();
    expect(preview.preview).toMatchObject({
      name,
      willStop: true,
      disks: [{ target: 'vda', current: g.disk }],
    });
    expect(preview.preview.domainState).toMatch(/^running/);
    expect(preview.preview.disks[0]!.chain[0]).toBe(join(dest.dir, uuid, ex.opId, 'vda.qcow2'));
    expect(preview.preview.text.kept).toContain(g.disk);
    // the preview changed nothing
    expect(labVirsh(uri, 'domstate', uuid).trim()).toBe('running');
    const image = preview.preview.disks[0]!.image;
    expect(existsSync(image)).toBe(false);

    const t0 = Date.now();
    const done = await h.call('export.restoreOriginal', {
      ...req,
      stopTimeoutS: 60,
      apply: true,
      stamp: preview.preview.stamp,
    });
    const restoreMs = Date.now() - t0;
    // the copy's progress reached the renderer's event stream: from nothing to the whole image
    const progress = h.events.flatMap((e) =>
      e.type === 'restore-progress' && e.exportId === req.exportId && e.uuid === uuid
        ? [e.disk]
        : [],
    );
    expect(progress[0]).toMatchObject({ target: 'vda', done: 0 });
    expect(progress.at(-1)).toMatchObject({ target: 'vda', etaS: 0 });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    expect(progress.at(-1)!.total).toBeGreaterThan(0);
    expect(done.applied, JSON.stringify(done)).toMatchObject({
      started: true,
      disks: [{ target: 'vda', image, kept: g.disk }],
    });
    expect(done.applied!.stopped).toMatch(/shutdown|powered off/);
    // the same domain (name, UUID), on the new image
    const now = labVirsh(uri, 'dumpxml', uuid, '--inactive');
    expect(now).toContain(`<name>${name}</name>`);
    expect(now).toContain(`<source file='${image}'`);
    expect(now).not.toContain(g.disk);
    const bootMs = await waitAgent(name);
    const gone = await guestExec(name, '/bin/cat', [after.guestPath]);
    expect(gone.exitcode).not.toBe(0);
    const kept = await guestExec(name, '/bin/cat', [before.guestPath]);
    expect(kept.stdout).toBe(before.content);
    const dmesg = await guestExec(name, '/bin/dmesg');
    expect(dmesg.stdout).not.toMatch(/recovery complete|orphan cleanup/);
    const mounts = await guestExec(name, '/bin/cat', ['/proc/mounts']);
    expect(mounts.stdout).toMatch(/\/dev\/vda \/data ext4 rw/);
    // the old image is kept, with what was written after the export (the shutdown synced it; the
    // lab guest's shutdown, test/lab/guest-scripts.ts, powers off without unmounting /data, so its
    // journal is left for the next mount: needs_recovery says how the guest stopped, not what the
    // restore did)
    expect(existsSync(g.disk)).toBe(true);
    const old = inspectImage(g.disk, [after.fsPath]);
    expect(old.files[after.fsPath]).toBe(after.content);
    // the domain's checkpoints name bitmaps its old image holds and the restored one does not:
    // the next export asked to be incremental must still succeed (as a full one)
    const next = await h.call('export.start', {
      hostId,
      uuid,
      dest: dest.dir,
      mode: 'incremental',
    });
    const n = await waitExport(next.opId);
    expect(n, JSON.stringify(n)).toMatchObject({ state: 'succeeded', mode: 'full' });
    console.log(`the export after the restore: ${n.mode} (${n.fullReason ?? ''})`);
    console.log(
      `export.restoreOriginal (copy, stop, switch, start) took ${restoreMs} ms (${done.applied!.stopped}); the agent answered ${bootMs} ms later; old image needs_recovery=${old.needsRecovery}`,
    );
  }, 600_000);
});
