import { describe, expect, it } from 'vitest';
import { readRestoreProgress } from '../../electron/services/export/restore-progress';
import { foldRestoreProgress } from '../../renderer/export/restore-progress';
import { bytesProgressText } from '../../renderer/export/export-view';

/**
 * A restore's progress lines (restore-lib.sh's restore_disk_copy prints them; both restore
 * scripts' tests check it does): read into one disk's progress; the events the restore's journal
 * becomes (restore-runs.ts) folded in the form disk by disk, and worded.
 */
describe('readRestoreProgress', () => {
  it('reads a line: bytes done and total, bytes/s, seconds left (-1: unknown)', () => {
    expect(readRestoreProgress('progress vda 1048576 4194304 524288 6')).toEqual({
      target: 'vda',
      done: 1048576,
      total: 4194304,
      rate: 524288,
      etaS: 6,
    });
    expect(readRestoreProgress('progress sdb 0 210042880 0 -1')).toMatchObject({
      done: 0,
      etaS: null,
    });
  });
  it('ignores every other line and anything malformed', () => {
    for (const line of [
      'disk vda /srv/a b.qcow2',
      'defined 2222',
      'progress vda 1 2 3',
      'progress vda 1 2 3 4 5',
      'progress vda -1 2 3 4',
      'progress vda 1.5 2 3 4',
      'progress v/da 1 2 3 4',
      'progress  vda 1 2 3 4',
      ' progress vda 1 2 3 4',
      'progress vda 1 2 3 -2',
    ]) {
      expect(readRestoreProgress(line), line).toBeUndefined();
    }
  });
});

describe('foldRestoreProgress', () => {
  it('keeps each disk’s newest reading, disks side by side', () => {
    const ev = (target: string, done: number) =>
      ({
        type: 'restore-progress',
        hostId: 'h',
        uuid: 'u',
        exportId: 'x',
        disk: { target, done, total: 100, rate: 10, etaS: (100 - done) / 10 },
      }) as const;
    let p = foldRestoreProgress(undefined, ev('vda', 0));
    p = foldRestoreProgress(p, ev('vda', 40));
    p = foldRestoreProgress(p, ev('vdb', 10));
    expect(p).toEqual({
      vda: { target: 'vda', done: 40, total: 100, rate: 10, etaS: 6 },
      vdb: { target: 'vdb', done: 10, total: 100, rate: 10, etaS: 9 },
    });
  });
  it('words it as the export’s progress is worded', () => {
    expect(bytesProgressText({ done: 1 << 20, total: 4 << 20, rate: 512 << 10, etaS: 125 })).toBe(
      '1.0 MiB of 4.0 MiB (25 %) · 512 KiB/s · ETA 2 min 5 s',
    );
    expect(bytesProgressText({ done: 0, total: 0, rate: 0, etaS: null })).toBe(
      '0 B of 0 B (0 %) · 0 B/s · ETA unknown',
    );
  });
});
