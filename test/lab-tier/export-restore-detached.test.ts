import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDestination, exportGuest } from '../support/export-guest';
import { waitExport } from '../support/lab-fixture';
import {
  connectedLabSession,
  labProfile,
  type LabProfileShape,
  type serviceHarness,
} from '../support/service-harness';
import { labVirsh } from '../support/snapshot-helpers';
import { TcpRelay } from '../support/tcp-relay';
import type { RestoreRun } from '../../shared/export-restore-run';

/**
 * Lab tier: a restore from an export is a detached host operation (restore-runner.sh,
 * docs/export.md "A restore as a host operation"). Through a TCP relay the link is dropped while
 * the restore copies: the call is lost, the restore is not. After the app reconnects by itself,
 * export.restores lists it running (its copy's progress there), export.restoreGet follows it to
 * its end (the new domain defined, its image whole), and a second restore, found the same way
 * after a drop, is cancelled by the id the list gives (export.restoreCancel): nothing is left.
 * The copy runs at 8 MiB/s (the service's test-only restoreCopyRate), so it lasts long enough
 * to drop the link and reconnect in; everything made here is removed.
 */
const RATE = 8 << 20;
let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
let hostId: string;
let relay: TcpRelay;
const cleanups: (() => void)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const lab = labProfile();
  relay = new TcpRelay({ host: lab.address, port: lab.port });
  await relay.start();
  ({ p, h, hostId } = await connectedLabSession({ port: relay.port, restoreCopyRate: RATE }));
}, 120_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      /* the next one still runs */
    }
  }
  h?.dispose();
  await relay?.stop();
}, 120_000);

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

/** The link dropped once the restore of EXPORTID copies; then the app reconnects by itself. */
async function dropWhileCopying(exportId: string): Promise<void> {
  const copying = () =>
    h.events.some(
      (e) => e.type === 'restore-progress' && e.exportId === exportId && e.disk.done > 0,
    );
  for (const deadline = Date.now() + 60_000; !copying() && Date.now() < deadline;) await sleep(20);
  expect(copying(), 'the restore was seen copying').toBe(true);
  relay.cut();
  await sleep(1000);
  relay.restore();
}

/** After the drop: the host's restores of UUID as listed once the app has reconnected. */
async function listedAfterReconnect(uuid: string): Promise<{ runs: RestoreRun[]; ms: number }> {
  const t0 = Date.now();
  for (const deadline = t0 + 60_000; Date.now() < deadline; await sleep(250)) {
    try {
      const { restores } = await h.call('export.restores', { hostId, uuid });
      return { runs: restores, ms: Date.now() - t0 };
    } catch {
      /* not connected again yet */
    }
  }
  throw new Error('the app did not reconnect within 60 s');
}

async function followToEnd(opId: string, timeoutMs = 300_000): Promise<RestoreRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await h.call('export.restoreGet', { hostId, opId });
    if (s.state !== 'running' || Date.now() > deadline) return s;
    await sleep(250);
  }
}

describe('a restore from an export outlives the link', () => {
  let uuid: string;
  let dest: { dir: string; remove: () => void };
  let exportId: string;

  beforeAll(async () => {
    const agent = p.guests.find((x) => x.role === 'agent')!;
    // 96 MiB written: about 12 s of copy at 8 MiB/s
    const g = await exportGuest(p.libvirtUri, agent.uuid, { diskMiB: 256, filledMiB: 96 });
    cleanups.push(g.remove);
    uuid = g.uuid;
    dest = exportDestination('detached');
    cleanups.push(dest.remove);
    const ex = await h.call('export.start', { hostId, uuid, dest: dest.dir, mode: 'full' });
    const e = await waitExport(h, hostId, ex.opId);
    expect(e, JSON.stringify(e)).toMatchObject({ state: 'succeeded' });
    exportId = ex.opId;
  }, 600_000);

  it('the link dropped mid-copy: listed after the reconnect, followed to its end', async () => {
    const images = exportDestination('detached-images');
    cleanups.push(images.remove);
    const name = `quiesce-lab-detached-${Date.now()}`;
    cleanups.push(() => labVirsh(p.libvirtUri, 'undefine', name));
    const t0 = Date.now();
    const restoring = h.call('export.restore', {
      hostId,
      uuid,
      dest: dest.dir,
      exportId,
      name,
      folder: images.dir,
    });
    const lostCall = restoring.then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await dropWhileCopying(exportId);
    const { runs, ms } = await listedAfterReconnect(uuid);
    const run = runs.find((r) => r.exportId === exportId && r.name === name);
    expect(run, JSON.stringify(runs)).toBeDefined();
    expect(run).toMatchObject({ state: 'running', kind: 'restore', copied: false });
    expect(run!.phases.at(-1)).toEqual({ phase: 'copy', status: 'running' });
    // the disk being copied now is the last one listed (one after the other)
    const seen = run!.disks.at(-1)!;
    expect(seen.done).toBeGreaterThan(0);
    expect(seen.done).toBeLessThan(seen.total);
    // the call the link carried is gone; the restore is not
    expect(await lostCall).not.toBe('answered');
    const end = await followToEnd(run!.opId);
    const totalMs = Date.now() - t0;
    expect(end, JSON.stringify(end)).toMatchObject({
      state: 'succeeded',
      copied: true,
      cancelled: false,
      code: 0,
    });
    expect(end.phases.map((x) => `${x.phase} ${x.status}`)).toEqual([
      'check done',
      'copy done',
      'define done',
    ]);
    expect(end.disks.every((d) => d.done === d.total && d.etaS === 0)).toBe(true);
    const image = end.images[0]!.image;
    expect(existsSync(image)).toBe(true);
    expect(filesUnder(images.dir)).toEqual(end.images.map((i) => i.image));
    expect(labVirsh(p.libvirtUri, 'list', '--all', '--name')).toContain(name);
    console.log(
      `restore with the link dropped: listed ${ms} ms after the relay came back, at ${seen.done} of ${seen.total} bytes; ended after ${totalMs} ms (call: ${await lostCall})`,
    );
  }, 600_000);

  it('found after a reconnect, cancelled by the id the list gives: nothing is left', async () => {
    const images = exportDestination('detached-cancel');
    cleanups.push(images.remove);
    const name = `quiesce-lab-detached-cancel-${Date.now()}`;
    const restoring = h.call('export.restore', {
      hostId,
      uuid,
      dest: dest.dir,
      exportId,
      name,
      folder: images.dir,
    });
    restoring.catch(() => undefined);
    // only this restore's events from here
    h.events.splice(0);
    await dropWhileCopying(exportId);
    const { runs } = await listedAfterReconnect(uuid);
    const run = runs.find((r) => r.name === name);
    expect(run).toMatchObject({ state: 'running', copied: false });
    const t0 = Date.now();
    await h.call('export.restoreCancel', { hostId, restoreId: run!.restoreId });
    const end = await followToEnd(run!.opId);
    const cancelMs = Date.now() - t0;
    expect(end, JSON.stringify(end)).toMatchObject({
      state: 'failed',
      cancelled: true,
      code: 76,
      failedPhase: 'copy',
    });
    expect(filesUnder(images.dir)).toEqual([]);
    expect(labVirsh(p.libvirtUri, 'list', '--all', '--name')).not.toContain(name);
    await expect(
      h.call('export.restoreCancel', { hostId, restoreId: run!.restoreId }),
    ).rejects.toThrow(/not running/);
    console.log(`restore cancelled after a reconnect: ended ${cancelMs} ms after the cancel`);
  }, 600_000);
});
