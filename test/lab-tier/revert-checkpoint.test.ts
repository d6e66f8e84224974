import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { guestAgentCommand, guestExec } from '../lab/lab';
import { connectedLabSession, type LabProfileShape } from '../support/service-harness';
import { labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { captureAgentGuest, type AgentGuestSnapshot } from '../support/agent-guest-restore';
import type { RevertSummary } from '../../shared/revert';

/**
 * Lab tier, libvirt 9.0 (which cannot revert a snapshot with memory): a full checkpoint (disks +
 * memory, libvirt's external memory snapshot) of the paused agent guest, reverted through the
 * services. The guest comes back from its memory image, not from a boot: a value that lived only
 * in the guest's RAM (its root filesystem is the initramfs) when the checkpoint was taken is
 * there again, and what was written after it is gone. Once with a checkpoint made by virsh
 * (libvirt's own --memspec), once with one made through the services (snapshot.start with
 * memory: the runner's full checkpoint, labelled a checkpoint even under the require policy).
 */
type Session = Awaited<ReturnType<typeof connectedLabSession>>;
let p: LabProfileShape;
let s: Session;
let uuid: string;
let agent: string;
let found: AgentGuestSnapshot;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = async (cmd: string) => (await guestExec(agent, '/bin/sh', ['-c', cmd])).stdout.trim();

async function waitAgent(timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await guestAgentCommand(agent, { execute: 'guest-ping' });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(500);
    }
  }
}

beforeAll(async () => {
  s = await connectedLabSession();
  p = s.p;
  const g = p.guests.find((x) => x.role === 'agent')!;
  uuid = g.uuid;
  agent = g.name;
  found = await captureAgentGuest(p.libvirtUri, uuid, agent);
}, 120_000);
afterAll(async () => {
  s.h.dispose();
  await found.restore();
}, 240_000);

describe('a full checkpoint reverted on libvirt 9.0', () => {
  it('the guest resumes from the checkpoint’s memory: a RAM-only value is back, later writes are gone', async () => {
    const dir = found.dir;
    await sh('echo in-ram-1 > /tmp/ckpt-value; echo marker 1 > /data/marker-1; sync');
    const uptimeAtCheckpoint = Number((await sh('cut -d" " -f1 /proc/uptime')).split('.')[0]);
    labVirsh(p.libvirtUri, 'suspend', uuid);
    labVirsh(
      p.libvirtUri,
      'snapshot-create-as',
      '--domain',
      uuid,
      '--name',
      'ck-A',
      '--memspec',
      `file=${dir}/data.ck-A.mem,snapshot=external`,
      '--diskspec',
      `vda,snapshot=external,file=${dir}/data.ck-A.qcow2`,
      '--atomic',
    );
    expect(labVirsh(p.libvirtUri, 'domstate', uuid).trim()).toBe('paused');
    labVirsh(p.libvirtUri, 'resume', uuid);
    await sh('echo in-ram-2 > /tmp/ckpt-value; echo marker 2 > /data/marker-2; sync');

    const target = { kind: 'snapshot', name: 'ck-A' } as const;
    const preview = await s.h.call('revert.preview', { hostId: s.hostId, uuid, target });
    expect(preview).toMatchObject({ memory: true, procedure: 'quiesce', willStop: true });
    expect(preview.text.becomes).toMatch(/resumes exactly where it was/);

    const { opId } = await s.h.call('revert.start', {
      hostId: s.hostId,
      uuid,
      target,
      stopTimeoutS: 60,
    });
    let r: RevertSummary;
    const deadline = Date.now() + 240_000;
    for (;;) {
      r = await s.h.call('revert.get', { hostId: s.hostId, opId });
      if (r.state !== 'running' || Date.now() > deadline) break;
      await sleep(300);
    }
    expect(r, JSON.stringify(r)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(r.phases.find((x) => x.phase === 'start')?.detail).toMatch(/restored/i);
    await waitAgent();
    expect(labVirsh(p.libvirtUri, 'domstate', uuid).trim()).toBe('running');
    // its memory: the RAM-only value of the checkpoint, and an uptime that went on from it
    expect(await sh('cat /tmp/ckpt-value')).toBe('in-ram-1');
    const uptime = Number((await sh('cut -d" " -f1 /proc/uptime')).split('.')[0]);
    expect(uptime).toBeGreaterThanOrEqual(uptimeAtCheckpoint);
    // its disks: the checkpoint's (marker 2 came after it)
    expect((await sh('cat /data/marker-* 2>/dev/null')).split('\n')).toEqual(['marker 1']);
    // nothing deleted: the left state is a branch, the checkpoint's files stay
    expect(existsSync(`${dir}/data.ck-A.mem`)).toBe(true);
    const { branches } = await s.h.call('revert.branches', { hostId: s.hostId, uuid });
    expect(branches.map((b) => b.id)).toEqual([opId]);
    for (const b of branches[0]!.disks) expect(existsSync(b.top), b.top).toBe(true);
  }, 600_000);

  it('a full checkpoint taken through the services (snapshot.start with memory) of the paused guest restores with its memory', async () => {
    await found.restore();
    await sh('echo svc-ram-1 > /tmp/ckpt-value; echo marker 1 > /data/marker-1; sync');
    labVirsh(p.libvirtUri, 'suspend', uuid);
    const snap = await s.h.call('snapshot.start', {
      hostId: s.hostId,
      uuid,
      name: 'ck-svc',
      memory: true,
    });
    const done = await waitForEnd(s.h, snap.opId);
    expect(done, JSON.stringify(done)).toMatchObject({
      state: 'succeeded',
      label: { kind: 'checkpoint' },
    });
    expect(labVirsh(p.libvirtUri, 'domstate', uuid).trim()).toBe('paused');
    const xml = labVirsh(p.libvirtUri, 'snapshot-dumpxml', uuid, 'ck-svc');
    expect(xml).toMatch(/<memory snapshot='external' file='[^']*data\.ck-svc\.mem'\/>/);
    labVirsh(p.libvirtUri, 'resume', uuid);
    await sh('echo svc-ram-2 > /tmp/ckpt-value; echo marker 2 > /data/marker-2; sync');

    const { opId } = await s.h.call('revert.start', {
      hostId: s.hostId,
      uuid,
      target: { kind: 'snapshot', name: 'ck-svc' },
      stopTimeoutS: 60,
    });
    let r: RevertSummary;
    const deadline = Date.now() + 240_000;
    for (;;) {
      r = await s.h.call('revert.get', { hostId: s.hostId, opId });
      if (r.state !== 'running' || Date.now() > deadline) break;
      await sleep(300);
    }
    expect(r, JSON.stringify(r)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    await waitAgent();
    expect(await sh('cat /tmp/ckpt-value')).toBe('svc-ram-1');
    expect((await sh('cat /data/marker-* 2>/dev/null')).split('\n')).toEqual(['marker 1']);
  }, 600_000);
});
