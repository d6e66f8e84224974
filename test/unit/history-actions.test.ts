import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../shared/events';
import type { History } from '../../shared/history';
import {
  deleteSnapshot,
  forgetMergedSnapshots,
  mergeChain,
  revertSnapshot,
} from '../../electron/services/history/history-actions';
import { fakeConnection, fakeVirshHost } from '../support/fake-ssh';

const uri = 'qemu:///system';
const uuid = '763ae968-9e71-41c1-9def-41b58313b8ce';
const hostId = '2f1c6f0e-8d3b-4f7a-9a51-3c2b1d0e9f88';
const v9_0 = { libvirt: '9.0.0', deleteExternal: true, revertExternal: false };
const v9_9 = { libvirt: '9.9.0', deleteExternal: true, revertExternal: true };
const v8 = { libvirt: '8.0.0', deleteExternal: false, revertExternal: false };

describe('deleteSnapshot', () => {
  it.each(["it's; a $(name)", '--current', 'x; destroy web', 'a b', 'ünïcødé ✓'])(
    'asks libvirt to delete exactly %j: the domain and the name each after its option',
    async (name) => {
      const host = fakeVirshHost();
      await deleteSnapshot({ conn: host.conn, uri, uuid, name }, v9_0);
      expect(host.args()).toEqual([
        '-c',
        uri,
        'snapshot-delete',
        '--domain',
        uuid,
        '--snapshotname',
        name,
      ]);
    },
  );

  it('before libvirt 9.0: runs nothing, says since when, and what to do instead', async () => {
    const host = fakeVirshHost();
    await expect(
      deleteSnapshot({ conn: host.conn, uri, uuid, name: 's' }, v8),
    ).rejects.toMatchObject({
      message: 'libvirt 8.0.0 cannot delete external snapshots.',
      details: { cause: expect.stringMatching(/9\.0/), remedy: expect.stringMatching(/Merge/) },
    });
    expect(host.calls).toHaveLength(0);
  });

  it('passes libvirt’s words on when the delete fails, with the next step', async () => {
    const host = fakeVirshHost({
      rc: 1,
      err: 'error: Requested operation is not valid: job running\n',
    });
    await expect(
      deleteSnapshot({ conn: host.conn, uri, uuid, name: 'snap' }, v9_0),
    ).rejects.toMatchObject({
      message: 'The snapshot “snap” could not be deleted.',
      details: {
        cause: 'error: Requested operation is not valid: job running',
        remedy: expect.stringMatching(/block job/),
      },
    });
  });
});

describe('revertSnapshot', () => {
  it('reverts where libvirt can (9.9 and later)', async () => {
    const host = fakeVirshHost();
    await revertSnapshot({ conn: host.conn, uri, uuid, name: '--current' }, 'web', v9_9);
    expect(host.args()).toEqual([
      '-c',
      uri,
      'snapshot-revert',
      '--domain',
      uuid,
      '--snapshotname',
      '--current',
    ]);
  });

  it('before 9.9: runs nothing and gives the manual procedure for this domain', async () => {
    const host = fakeVirshHost();
    const err = await revertSnapshot({ conn: host.conn, uri, uuid, name: 'before' }, 'web', v9_0)
      .then(() => undefined)
      .catch((e: { message: string; details: { cause: string; remedy: string } }) => e);
    expect(err?.message).toBe('Reverting is not supported by libvirt 9.0.0 on this host.');
    expect(err?.details.cause).toMatch(/9\.9/);
    expect(err?.details.remedy).toContain(
      'virsh snapshot-dumpxml --domain web --snapshotname before',
    );
    expect(host.calls).toHaveLength(0);
  });
});

describe('mergeChain', () => {
  it('follows blockcommit’s progress into merge-progress events, then says it is done', async () => {
    const { conn, streams } = fakeConnection();
    const events: AppEvent[] = [];
    const done = mergeChain(conn, uri, hostId, uuid, 'vda', (e) => events.push(e));
    const s = streams[0]!;
    expect(s.command).toContain('blockcommit');
    s.line('Block commit: [  0 %]');
    s.line('Block commit: [ 57.5 %]');
    s.line('');
    s.line('Successfully pivoted');
    s.end();
    await done;
    expect(events).toEqual([
      { type: 'merge-progress', hostId, uuid, target: 'vda', percent: 0 },
      { type: 'merge-progress', hostId, uuid, target: 'vda', percent: 57.5 },
      { type: 'merge-progress', hostId, uuid, target: 'vda', percent: 100, done: true },
    ]);
  });

  it('fails with virsh’s error lines and what to check', async () => {
    const { conn, streams } = fakeConnection();
    const done = mergeChain(conn, uri, hostId, uuid, 'vdb', () => undefined);
    streams[0]!.line("error: block copy still active: disk 'vdb' already in active block job");
    streams[0]!.end();
    await expect(done).rejects.toMatchObject({
      message: 'Merging the chain of vdb failed.',
      details: {
        cause: "error: block copy still active: disk 'vdb' already in active block job",
        remedy: expect.stringMatching(/virsh blockjob/),
      },
    });
  });

  it('hands the URI, domain and disk to virsh as separate arguments, each after its option', () => {
    const { conn, streams } = fakeConnection();
    void mergeChain(conn, uri, hostId, uuid, '--vd a', () => undefined);
    // The script reads them as "$1" "$2" "$3": they never enter its text.
    expect(streams[0]!.command).toMatch(/ sh qemu\\:\/\/\/system 763ae968-[0-9a-f-]+ '--vd a'$/);
    expect(streams[0]!.command).toContain('blockcommit --domain "$2" --path "$3" ');
  });
});

describe('forgetMergedSnapshots', () => {
  const snapshot = (name: string, file: string): History['snapshots'][number] => ({
    name,
    description: '',
    createdAt: null,
    parent: null,
    state: 'disk-snapshot',
    disks: [{ target: 'vda', snapshot: 'external', file }],
    sizeBytes: null,
    madeByQuiesce: false,
    windowMs: null,
  });
  const after: History = {
    snapshots: [
      snapshot('kept', '/img/data.qcow2'),
      snapshot('--current', '/img/gone-1.qcow2'),
      snapshot('x; destroy web', '/img/gone-2.qcow2'),
    ],
    chains: [
      {
        target: 'vda',
        layers: [{ file: '/img/data.qcow2', format: '', actualSize: 1, virtualSize: 1 }],
      },
    ],
    operations: [],
    abilities: v9_0,
  };

  it('forgets exactly the snapshots whose files are gone, children first, by name', async () => {
    const { conn, calls } = fakeConnection();
    expect(await forgetMergedSnapshots(conn, uri, uuid, after)).toEqual([
      '--current',
      'x; destroy web',
    ]);
    expect(calls.map((c) => c.command)).toEqual([
      `virsh -c qemu\\:///system snapshot-delete --domain ${uuid} --snapshotname 'x; destroy web' --metadata`,
      `virsh -c qemu\\:///system snapshot-delete --domain ${uuid} --snapshotname --current --metadata`,
    ]);
  });

  it('says which snapshot libvirt still lists when forgetting it fails', async () => {
    const host = fakeVirshHost({ rc: 1, err: 'error: snapshot is busy\n' });
    await expect(forgetMergedSnapshots(host.conn, uri, uuid, after)).rejects.toMatchObject({
      message: 'The chain was merged, but libvirt still lists the snapshot “x; destroy web”.',
      details: { cause: 'error: snapshot is busy', remedy: expect.stringMatching(/Merge again/) },
    });
  });
});
