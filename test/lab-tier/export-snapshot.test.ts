import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestExec } from '../lab/lab';
import { captureAgentGuest, type AgentGuestSnapshot } from '../support/agent-guest-restore';
import {
  frozenImageOfLatestSnapshot,
  inspectImage,
  removeGuestMarkers,
  writeGuestMarker,
} from '../support/consistency';
import { exportDestination } from '../support/export-guest';
import { connectedLabSession, type serviceHarness } from '../support/service-harness';
import { fsfreezeStatus, labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { ExportManifestSchema, type ExportSummary } from '../../shared/export';

/**
 * Lab tier: an existing Quiesce snapshot of the agent guest exported to a host folder
 * (export.start with `snapshot`, docs/export.md "An existing snapshot, with no freeze at all").
 * The export is the snapshot's frozen image, byte for byte as the guest sees it: a marker
 * written (unsynced) before the snapshot is in it, one written after is not; it verifies; its
 * manifest names the snapshot, carries the snapshot's own label and no freeze window of its own;
 * libvirt ran no job and made no checkpoint. The agent guest is put back as it was found.
 */
let p: Awaited<ReturnType<typeof connectedLabSession>>['p'];
let h: ReturnType<typeof serviceHarness>;
let hostId: string;
let agent: { name: string; uuid: string };
let found: AgentGuestSnapshot | undefined;
let dest: ReturnType<typeof exportDestination> | undefined;
const name = `exp-snap-${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitExport(opId: string, timeoutMs = 300_000): Promise<ExportSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await h.call('export.get', { hostId, opId });
    if (s.state !== 'running' || Date.now() > deadline) return s;
    await sleep(250);
  }
}
const checkpoints = () =>
  labVirsh(p.libvirtUri, 'checkpoint-list', agent.uuid, '--name')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

beforeAll(async () => {
  ({ p, h, hostId } = await connectedLabSession());
  agent = p.guests.find((x) => x.role === 'agent')!;
  found = await captureAgentGuest(p.libvirtUri, agent.uuid, agent.name);
  dest = exportDestination('snap');
}, 180_000);
afterAll(async () => {
  await removeGuestMarkers(agent.name);
  await found?.restore();
  dest?.remove();
  h?.dispose();
}, 240_000);

describe('export of an existing snapshot (no freeze of its own)', () => {
  it('copies the quiesced snapshot’s frozen image, verifies, and the manifest says the snapshot’s label', async () => {
    // unsynced: only the snapshot's freeze puts it on the frozen image
    const before = await writeGuestMarker(agent.name, 'before-snap');
    const { opId: snapOp } = await h.call('snapshot.start', {
      hostId,
      uuid: agent.uuid,
      name,
    });
    const snap = await waitForEnd(h, snapOp, 180_000);
    expect(snap, JSON.stringify(snap)).toMatchObject({
      state: 'succeeded',
      label: { kind: 'quiesced' },
    });
    const frozenFs = snap.label?.kind === 'quiesced' ? snap.label.filesystems : -1;
    expect(frozenFs).toBeGreaterThan(0);
    const { frozen } = frozenImageOfLatestSnapshot(p.libvirtUri, agent.uuid);
    // written after the cut (into the overlay): an export of the snapshot must not have it
    const after = await writeGuestMarker(agent.name, 'after-snap');
    await guestExec(agent.name, '/bin/sync');
    const checkpointsBefore = checkpoints();

    // an incremental asked for: a snapshot has no checkpoint, so it is full, with the reason
    const t0 = Date.now();
    const { opId } = await h.call('export.start', {
      hostId,
      uuid: agent.uuid,
      dest: dest!.dir,
      mode: 'incremental',
      snapshot: name,
    });
    const s = await waitExport(opId);
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
    expect(fsfreezeStatus(p.libvirtUri, agent.name)).toBe('thawed');
    expect(labVirsh(p.libvirtUri, 'domjobinfo', agent.uuid)).toMatch(/Job type:\s+None/);
    expect(checkpoints()).toEqual(checkpointsBefore);

    const v = await h.call('export.verify', {
      hostId,
      uuid: agent.uuid,
      dest: dest!.dir,
      exportId: opId,
    });
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, problems: [], chain: [] });

    const dir = join(dest!.dir, agent.uuid, opId);
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
});
