import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { guestExec } from '../lab/lab';
import { labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { waitForAgent } from '../support/agent-guest-restore';
import { useAgentGuest, waitRevert } from '../support/lab-fixture';

/**
 * Lab tier, libvirt 9.0 (which cannot revert a snapshot with memory): a full checkpoint (disks +
 * memory, libvirt's external memory snapshot) of the paused agent guest, reverted through the
 * services. The guest comes back from its memory image, not from a boot: a value that lived only
 * in the guest's RAM (its root filesystem is the initramfs) when the checkpoint was taken is
 * there again, and what was written after it is gone. Once with a checkpoint made by virsh
 * (libvirt's own --memspec), once with one made through the services (snapshot.start with
 * memory: the runner's full checkpoint, labelled a checkpoint even under the require policy).
 */
const ag = useAgentGuest({ session: true });
const sh = async (cmd: string) => (await guestExec(ag.name, '/bin/sh', ['-c', cmd])).stdout.trim();

describe('a full checkpoint reverted on libvirt 9.0', () => {
  it('the guest resumes from the checkpoint’s memory: a RAM-only value is back, later writes are gone', async () => {
    const { p, uuid, name: agent, dir } = ag;
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
    const preview = await ag.h.call('revert.preview', { hostId: ag.hostId, uuid, target });
    expect(preview).toMatchObject({ memory: true, procedure: 'quiesce', willStop: true });
    expect(preview.text.becomes).toMatch(/resumes exactly where it was/);

    const { opId } = await ag.h.call('revert.start', {
      hostId: ag.hostId,
      uuid,
      target,
      stopTimeoutS: 60,
    });
    const r = await waitRevert(ag.h, ag.hostId, opId);
    expect(r, JSON.stringify(r)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(r.phases.find((x) => x.phase === 'start')?.detail).toMatch(/restored/i);
    await waitForAgent(agent, 120_000);
    expect(labVirsh(p.libvirtUri, 'domstate', uuid).trim()).toBe('running');
    // its memory: the RAM-only value of the checkpoint, and an uptime that went on from it
    expect(await sh('cat /tmp/ckpt-value')).toBe('in-ram-1');
    const uptime = Number((await sh('cut -d" " -f1 /proc/uptime')).split('.')[0]);
    expect(uptime).toBeGreaterThanOrEqual(uptimeAtCheckpoint);
    // its disks: the checkpoint's (marker 2 came after it)
    expect((await sh('cat /data/marker-* 2>/dev/null')).split('\n')).toEqual(['marker 1']);
    // nothing deleted: the left state is a branch, the checkpoint's files stay
    expect(existsSync(`${dir}/data.ck-A.mem`)).toBe(true);
    const { branches } = await ag.h.call('revert.branches', { hostId: ag.hostId, uuid });
    expect(branches.map((b) => b.id)).toEqual([opId]);
    for (const b of branches[0]!.disks) expect(existsSync(b.top), b.top).toBe(true);
  }, 600_000);

  it('a full checkpoint taken through the services (snapshot.start with memory) of the paused guest restores with its memory', async () => {
    const { p, uuid, name: agent } = ag;
    await ag.restore();
    await sh('echo svc-ram-1 > /tmp/ckpt-value; echo marker 1 > /data/marker-1; sync');
    labVirsh(p.libvirtUri, 'suspend', uuid);
    const snap = await ag.h.call('snapshot.start', {
      hostId: ag.hostId,
      uuid,
      name: 'ck-svc',
      memory: true,
    });
    const done = await waitForEnd(ag.h, snap.opId);
    expect(done, JSON.stringify(done)).toMatchObject({
      state: 'succeeded',
      label: { kind: 'checkpoint' },
    });
    expect(labVirsh(p.libvirtUri, 'domstate', uuid).trim()).toBe('paused');
    const xml = labVirsh(p.libvirtUri, 'snapshot-dumpxml', uuid, 'ck-svc');
    expect(xml).toMatch(/<memory snapshot='external' file='[^']*data\.ck-svc\.mem'\/>/);
    labVirsh(p.libvirtUri, 'resume', uuid);
    await sh('echo svc-ram-2 > /tmp/ckpt-value; echo marker 2 > /data/marker-2; sync');

    const { opId } = await ag.h.call('revert.start', {
      hostId: ag.hostId,
      uuid,
      target: { kind: 'snapshot', name: 'ck-svc' },
      stopTimeoutS: 60,
    });
    const r = await waitRevert(ag.h, ag.hostId, opId);
    expect(r, JSON.stringify(r)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    await waitForAgent(agent, 120_000);
    expect(await sh('cat /tmp/ckpt-value')).toBe('svc-ram-1');
    expect((await sh('cat /data/marker-* 2>/dev/null')).split('\n')).toEqual(['marker 1']);
  }, 600_000);
});
