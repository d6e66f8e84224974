import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readRestoreTestList,
  restoreTestsListScript as SCRIPT,
} from '../../electron/services/revert/restore-tests';

/**
 * Restore tests kept on the host: restore-tests-list.sh (as shipped, runner-alive.sh in front)
 * over a host folder holding tests of two domains, read back by readRestoreTestList — what
 * `restore.list` answers after a reconnect (nothing of it lives in the app).
 */
const A = '00000000-0000-4000-8000-0000000000aa';
const B = '00000000-0000-4000-8000-0000000000bb';
const root = mkdtempSync(join(tmpdir(), 'quiesce-restore-list-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

function keep(op: string, uuid: string, journal: string[]) {
  const d = join(root, 'restore-tests', 'ops', op);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'args'), `op=${op}\nuuid=${uuid}\nname=${b64('snap')}\n`);
  writeFileSync(join(d, 'journal.jsonl'), journal.join('\n') + '\n');
  writeFileSync(join(d, 'runner.pid'), '999999\n');
}
const line = (o: Record<string, unknown>) => JSON.stringify({ op: 'x', mono: 1, ...o });

describe('restore tests kept on the host', () => {
  it('lists one domain’s tests, newest first, each with its snapshot, start and verdict', () => {
    const fsinfo = b64(
      JSON.stringify({ return: [{ name: 'vda', mountpoint: '/data', type: 'ext4' }] }),
    );
    keep('20261201T010000Z-00000001', A, [
      line({
        ev: 'start',
        pid: 1,
        clone: 'c1',
        snapshot: b64('before upgrade'),
        rt: 1796086800000000000,
      }),
      line({ ev: 'phase', phase: 'cleanup', status: 'done' }),
      line({
        ev: 'result',
        ok: true,
        bootMs: 3000,
        fsinfo,
        kernelLog: b64('EXT4-fs (vda): recovery complete'),
      }),
      line({ ev: 'end' }),
    ]);
    keep('20261201T020000Z-00000002', A, [
      line({ ev: 'start', pid: 2, clone: 'c2', snapshot: b64('nightly'), rt: 1796090400000000000 }),
    ]);
    keep('20261201T030000Z-00000003', B, [line({ ev: 'start', pid: 3, clone: 'c3' })]);
    const out = execFileSync('sh', ['-c', SCRIPT, 'sh', root, A], { encoding: 'utf8' });
    const list = readRestoreTestList(out);
    expect(list.map((r) => r.opId)).toEqual([
      '20261201T020000Z-00000002',
      '20261201T010000Z-00000001',
    ]);
    expect(list[0]).toMatchObject({ snapshot: 'nightly', state: 'lost', restorable: null });
    expect(list[1]).toMatchObject({
      snapshot: 'before upgrade',
      startedAt: '2026-12-01T01:00:00.000Z',
      state: 'succeeded',
      restorable: true,
      recovery: true,
      cloneGone: true,
    });
  });

  it('a host without restore tests answers an empty list', () => {
    const out = execFileSync('sh', ['-c', SCRIPT, 'sh', join(root, 'none'), A], {
      encoding: 'utf8',
    });
    expect(readRestoreTestList(out)).toEqual([]);
  });
});
