import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { guestExec } from '../lab/lab';
import { labHostDraft, serviceHarness } from '../support/service-harness';
import { useLabSession } from '../support/lab-fixture';
import { deleteAllSnapshots, labVirsh, waitForEnd } from '../support/snapshot-helpers';
import { failIfLeftFrozen } from '../support/lab-guard';

/**
 * Lab tier: the snapshot history, delete, revert and chain health on the real guest. Each test
 * starts from no snapshot and no marker and makes the snapshots it looks at: none relies on what
 * an earlier one left (an earlier failure must not turn a later check vacuous).
 */
const lab = useLabSession();
let uuid: string;
let agentName: string;

const topOf = () => labVirsh(lab.p.libvirtUri, 'domblklist', uuid).match(/vda\s+(\S+)/)![1]!;
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

/** No snapshot of the agent guest and no marker file in it. */
async function cleanSlate(): Promise<void> {
  deleteAllSnapshots(lab.p.libvirtUri, uuid);
  await guestExec(agentName, '/bin/sh', ['-c', 'rm -f /data/marker-*; sync']);
}

/** Writes marker n in the guest, then takes snapshot `name` with Quiesce; it must succeed. */
async function markAndSnapshot(n: number, name: string): Promise<void> {
  await guestExec(agentName, '/bin/sh', ['-c', `echo marker ${n} > /data/marker-${n}; sync`]);
  const { opId } = await lab.h.call('snapshot.start', {
    hostId: lab.hostId,
    uuid,
    name,
    description: `marker ${n}`,
  });
  const s = await waitForEnd(lab.h, opId);
  expect(s, name).toMatchObject({ state: 'succeeded', label: { kind: 'quiesced' } });
}

beforeAll(async () => {
  const agent = lab.p.guests.find((g) => g.role === 'agent')!;
  uuid = agent.uuid;
  agentName = agent.name;
});
beforeEach(cleanSlate);
failIfLeftFrozen({ cleanup: cleanSlate });

describe('history', () => {
  it('lists three consistent snapshots with labels and windows; deleting the middle one keeps every marker', async () => {
    const baseLayers = qemuChain().length;
    for (const n of [1, 2, 3]) await markAndSnapshot(n, `hist-${n}`);
    const history = await lab.h.call('history.list', { hostId: lab.hostId, uuid });
    expect(history.snapshots.map((s) => s.name)).toEqual(['hist-1', 'hist-2', 'hist-3']);
    for (const s of history.snapshots) {
      expect(s).toMatchObject({ madeByQuiesce: true, label: { kind: 'quiesced', filesystems: 1 } });
      expect(s.windowMs).toBeGreaterThan(0);
      expect(s.sizeBytes).toBeGreaterThan(0);
    }
    // The chain view is what QEMU's own tool says.
    expect(history.chains[0]!.layers.map((l) => l.file)).toEqual(qemuChain());
    expect(history.chains[0]!.layers).toHaveLength(baseLayers + 3);

    await lab.h.call('history.delete', { hostId: lab.hostId, uuid, name: 'hist-2' });
    const after = await lab.h.call('history.list', { hostId: lab.hostId, uuid });
    expect(after.snapshots.map((s) => s.name)).toEqual(['hist-1', 'hist-3']);
    expect(after.chains[0]!.layers).toHaveLength(baseLayers + 2);
    expect(after.chains[0]!.layers.map((l) => l.file)).toEqual(qemuChain());
    expect(await markers()).toEqual(['marker 1', 'marker 2', 'marker 3']);
  });

  it('history is the host’s: a new app with an empty data folder sees the same', async () => {
    // Its own snapshots, so the comparison below can never be of two empty lists.
    await markAndSnapshot(1, 'wiped-1');
    await markAndSnapshot(2, 'wiped-2');
    const mine = await lab.h.call('history.list', { hostId: lab.hostId, uuid });
    expect(mine.snapshots.map((s) => s.name)).toEqual(['wiped-1', 'wiped-2']);
    for (const s of mine.snapshots) {
      expect(s).toMatchObject({ madeByQuiesce: true, label: { kind: 'quiesced', filesystems: 1 } });
      expect(s.windowMs).toBeGreaterThan(0);
    }
    const fresh = serviceHarness({ knownHosts: readFileSync(lab.p.knownHostsPath, 'utf8') });
    try {
      const id = (await fresh.call('hosts.save', labHostDraft(lab.p))).id;
      await fresh.call('hosts.connect', { hostId: id });
      const theirs = await fresh.call('history.list', { hostId: id, uuid });
      expect(theirs.snapshots.length).toBeGreaterThan(0);
      expect(theirs.snapshots).toEqual(mine.snapshots);
    } finally {
      fresh.dispose();
    }
  });

  it('shows snapshots made outside Quiesce, marked as such', async () => {
    // A unique name: plain virsh names the overlay after the snapshot and refuses an existing file.
    const name = `by-hand-${Date.now()}`;
    labVirsh(
      lab.p.libvirtUri,
      'snapshot-create-as',
      uuid,
      name,
      'made with plain virsh',
      '--disk-only',
      '--atomic',
    );
    const s = (await lab.h.call('history.list', { hostId: lab.hostId, uuid })).snapshots.find(
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
    await markAndSnapshot(1, 'hist-1');
    const err = await lab.h.callError('history.revert', {
      hostId: lab.hostId,
      uuid,
      name: 'hist-1',
    });
    expect(err.message).toMatch(/not supported by libvirt 9\.0/);
    expect(err.remedy).toMatch(/qemu-img create -f qcow2 -F qcow2 -b/);
    expect(labVirsh(lab.p.libvirtUri, 'domstate', uuid)).toMatch(/running/);
  });

  it('merges the chain back into the base image with progress, forgetting the folded snapshots', async () => {
    for (const n of [1, 2, 3]) await markAndSnapshot(n, `merge-${n}`);
    const before = await lab.h.call('history.list', { hostId: lab.hostId, uuid });
    expect(before.chains[0]!.layers.length).toBeGreaterThan(1);
    const from = lab.h.events.length;
    const { forgotten } = await lab.h.call('history.merge', { hostId: lab.hostId, uuid });
    expect(forgotten.sort()).toEqual(['merge-1', 'merge-2', 'merge-3']);
    expect(before.snapshots.map((s) => s.name).sort()).toEqual(forgotten);
    const after = await lab.h.call('history.list', { hostId: lab.hostId, uuid });
    expect(after.chains[0]!.layers).toHaveLength(1);
    expect(after.snapshots).toEqual([]);
    expect(lab.h.events.slice(from).some((e) => e.type === 'merge-progress' && e.done)).toBe(true);
    expect(await markers()).toEqual(['marker 1', 'marker 2', 'marker 3']);
  });
});
