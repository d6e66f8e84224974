import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { guestExec } from '../lab/lab';
import {
  labHostDraft,
  labProfile,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';
import { deleteAllSnapshots, labVirsh, waitForEnd } from '../support/snapshot-helpers';

/** Lab tier: the snapshot history, delete, revert and chain health on the real guest. */
let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
let hostId: string;
let uuid: string;
let agentName: string;

const topOf = () => labVirsh(p.libvirtUri, 'domblklist', uuid).match(/vda\s+(\S+)/)![1]!;
const qemuChain = () =>
  (
    JSON.parse(
      execFileSync('qemu-img', ['info', '-U', '--backing-chain', '--output=json', topOf()], {
        encoding: 'utf8',
      }),
    ) as { filename: string }[]
  ).map((l) => l.filename);
const markers = async () =>
  (await guestExec(agentName, '/bin/sh', ['-c', 'cat /data/marker-* 2>/dev/null'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);

beforeAll(async () => {
  p = labProfile();
  const agent = p.guests.find((g) => g.role === 'agent')!;
  uuid = agent.uuid;
  agentName = agent.name;
  deleteAllSnapshots(p.libvirtUri, uuid);
  await guestExec(agentName, '/bin/sh', ['-c', 'rm -f /data/marker-*; sync']);
  h = serviceHarness({ knownHosts: readFileSync(p.knownHostsPath, 'utf8') });
  hostId = (await h.call('hosts.save', labHostDraft(p))).id;
  expect((await h.call('hosts.connect', { hostId })).status).toBe('connected');
});
afterAll(async () => {
  deleteAllSnapshots(p.libvirtUri, uuid);
  await guestExec(agentName, '/bin/sh', ['-c', 'rm -f /data/marker-*; sync']).catch(
    () => undefined,
  );
  h.dispose();
});

describe('history', () => {
  it('lists three consistent snapshots with labels and windows; deleting the middle one keeps every marker', async () => {
    for (const n of [1, 2, 3]) {
      await guestExec(agentName, '/bin/sh', ['-c', `echo marker ${n} > /data/marker-${n}; sync`]);
      const { opId } = await h.call('snapshot.start', {
        hostId,
        uuid,
        name: `hist-${n}`,
        description: `marker ${n}`,
      });
      expect((await waitForEnd(h, opId)).state).toBe('succeeded');
    }
    const history = await h.call('history.list', { hostId, uuid });
    expect(history.snapshots.map((s) => s.name)).toEqual(['hist-1', 'hist-2', 'hist-3']);
    for (const s of history.snapshots) {
      expect(s).toMatchObject({ madeByQuiesce: true, label: { kind: 'quiesced', filesystems: 1 } });
      expect(s.windowMs).toBeGreaterThan(0);
      expect(s.sizeBytes).toBeGreaterThan(0);
    }
    // The chain view is what QEMU's own tool says.
    expect(history.chains[0]!.layers.map((l) => l.file)).toEqual(qemuChain());
    expect(history.chains[0]!.layers).toHaveLength(4);

    await h.call('history.delete', { hostId, uuid, name: 'hist-2' });
    const after = await h.call('history.list', { hostId, uuid });
    expect(after.snapshots.map((s) => s.name)).toEqual(['hist-1', 'hist-3']);
    expect(after.chains[0]!.layers).toHaveLength(3);
    expect(after.chains[0]!.layers.map((l) => l.file)).toEqual(qemuChain());
    expect(await markers()).toEqual(['marker 1', 'marker 2', 'marker 3']);
  });

  it('history is the host’s: a new app with an empty data folder sees the same', async () => {
    const fresh = serviceHarness({ knownHosts: readFileSync(p.knownHostsPath, 'utf8') });
    try {
      const id = (await fresh.call('hosts.save', labHostDraft(p))).id;
      await fresh.call('hosts.connect', { hostId: id });
      const mine = await h.call('history.list', { hostId, uuid });
      const theirs = await fresh.call('history.list', { hostId: id, uuid });
      expect(theirs.snapshots).toEqual(mine.snapshots);
    } finally {
      fresh.dispose();
    }
  });

  it('shows snapshots made outside Quiesce, marked as such', async () => {
    // A unique name: plain virsh names the overlay after the snapshot and refuses an existing file.
    const name = `by-hand-${Date.now()}`;
    labVirsh(
      p.libvirtUri,
      'snapshot-create-as',
      uuid,
      name,
      'made with plain virsh',
      '--disk-only',
      '--atomic',
    );
    const s = (await h.call('history.list', { hostId, uuid })).snapshots.find(
      (x) => x.name === name,
    );
    expect(s).toMatchObject({
      madeByQuiesce: false,
      description: 'made with plain virsh',
      windowMs: null,
    });
    expect(s?.label).toBeUndefined();
  });

  it('explains that libvirt 9.0 cannot revert, with the manual procedure', async () => {
    const err = await h.callError('history.revert', { hostId, uuid, name: 'hist-1' });
    expect(err.message).toMatch(/not supported by libvirt 9\.0/);
    expect(err.remedy).toMatch(/qemu-img create -f qcow2 -F qcow2 -b/);
    expect(labVirsh(p.libvirtUri, 'domstate', uuid)).toMatch(/running/);
  });

  it('merges the chain back into the base image with progress, forgetting the folded snapshots', async () => {
    const before = await h.call('history.list', { hostId, uuid });
    expect(before.chains[0]!.layers.length).toBeGreaterThan(1);
    const from = h.events.length;
    const { forgotten } = await h.call('history.merge', { hostId, uuid });
    expect(forgotten.sort()).toEqual(before.snapshots.map((s) => s.name).sort());
    const after = await h.call('history.list', { hostId, uuid });
    expect(after.chains[0]!.layers).toHaveLength(1);
    expect(after.snapshots).toEqual([]);
    expect(h.events.slice(from).some((e) => e.type === 'merge-progress' && e.done)).toBe(true);
    expect(await markers()).toEqual(['marker 1', 'marker 2', 'marker 3']);
  });
});
