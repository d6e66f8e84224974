import { describe, expect, it } from 'vitest';
import { readRestoreTest } from '../../electron/services/revert/restore-tests';
import { keptResults, restoreVerdict } from '../../renderer/history/restore-test-panel';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const line = (o: Record<string, unknown>) => JSON.stringify({ op: 'x', mono: 1, ...o });
const start = line({ ev: 'start', pid: 9, clone: 'web-restoretest-1' });
const fsinfo = JSON.stringify({
  return: [{ name: 'vda', mountpoint: '/data', type: 'ext4', disk: [] }],
});

describe('a restore test’s journal, read', () => {
  it('restorable: booted, agent answered, filesystems mounted clean, clone gone', () => {
    const j = [
      start,
      line({ ev: 'phase', phase: 'cleanup', status: 'running' }),
      line({ ev: 'phase', phase: 'cleanup', status: 'done' }),
      line({
        ev: 'result',
        ok: true,
        bootMs: 4520,
        fsinfo: b64(fsinfo),
        kernelLog: b64('EXT4-fs (vda): mounted filesystem with ordered data mode.'),
      }),
      line({ ev: 'end' }),
    ].join('\n');
    const r = readRestoreTest('x', j, false);
    expect(r).toMatchObject({
      state: 'succeeded',
      restorable: true,
      recovery: false,
      cloneGone: true,
    });
    expect(restoreVerdict(r)).toBe(
      'Restorable — booted in 4.5 s, agent answered, 1 filesystem mounted clean.',
    );
  });

  it('a crash-consistent image: the kernel’s journal recovery is reported', () => {
    const j = [
      start,
      line({ ev: 'phase', phase: 'cleanup', status: 'done' }),
      line({
        ev: 'result',
        ok: true,
        bootMs: 6000,
        fsinfo: b64(fsinfo),
        kernelLog: b64('EXT4-fs (vda): recovery complete\nEXT4-fs (vda): mounted filesystem'),
      }),
    ].join('\n');
    const r = readRestoreTest('x', j, false);
    expect(r.recovery).toBe(true);
    expect(restoreVerdict(r)).toMatch(/1 filesystem mounted after journal recovery/);
    expect(r.evidence).toMatch(/recovery complete/);
  });

  it('says why not, and a runner gone without a result is lost, not running', () => {
    const failed = readRestoreTest(
      'x',
      [
        start,
        line({ ev: 'phase', phase: 'cleanup', status: 'failed', b64: b64('kept: /x') }),
        line({ ev: 'result', ok: false, failedPhase: 'agent', b64: b64('no agent within 120 s') }),
      ].join('\n'),
      false,
    );
    expect(restoreVerdict(failed)).toBe(
      'Not shown restorable: no agent within 120 s (the clone could not be removed: see the host).',
    );
    expect(readRestoreTest('x', start, true).state).toBe('running'); // its runner lives
    expect(readRestoreTest('x', start, false).state).toBe('lost');
  });
});

describe('restore tests kept on the host, as the history lists them', () => {
  const kept = (opId: string, snapshot: string, state: 'running' | 'succeeded') => ({
    ...readRestoreTest(opId, '', false),
    snapshot,
    state,
  });
  it('the selected snapshot’s finished tests, newest first as the host gave them; else the latest of all', () => {
    const all = [
      kept('3', 'B', 'running'),
      kept('2', 'A', 'succeeded'),
      kept('1', 'B', 'succeeded'),
    ];
    expect(keptResults(all, 'B').map((r) => r.opId)).toEqual(['1']);
    expect(keptResults(all, undefined).map((r) => r.opId)).toEqual(['2', '1']);
    expect(keptResults(all, undefined, 1).map((r) => r.opId)).toEqual(['2']);
  });
});
