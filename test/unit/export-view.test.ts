import { describe, expect, it } from 'vitest';
import {
  entryText,
  formatBytes,
  outcomeText,
  progressText,
  spaceVerdict,
} from '../../renderer/export/export-view';
import type { ExportEntry, ExportSummary } from '../../shared/export';

const GiB = 1024 ** 3;
const summary = (o: Partial<ExportSummary>): ExportSummary => ({
  opId: 'op',
  uuid: 'u',
  dest: '/b',
  state: 'running',
  modeAsked: 'incremental',
  mode: null,
  fullReason: null,
  parent: null,
  checkpoint: null,
  needBytes: null,
  freeBytes: null,
  phases: [],
  progress: null,
  windowMs: null,
  consistency: null,
  cancelled: false,
  folder: null,
  message: null,
  failedPhase: null,
  watchdog: null,
  ...o,
});

describe('export wording', () => {
  it('sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(GiB)).toBe('1.0 GiB');
    expect(formatBytes(513 * 1024 * 1024)).toBe('513 MiB');
  });
  it('refuses a full export that does not fit, and a folder QEMU cannot reach', () => {
    const s = { freeBytes: GiB / 2, fullBytes: GiB, writable: true, problem: null };
    expect(spaceVerdict(s, 'full')).toMatchObject({ ok: false });
    expect(spaceVerdict(s, 'incremental')).toMatchObject({ ok: true });
    expect(spaceVerdict({ ...s, freeBytes: 2 * GiB }, 'full')).toEqual({
      ok: true,
      text: '2.0 GiB free; a full export takes at most 1.0 GiB.',
    });
    expect(
      spaceVerdict({ ...s, freeBytes: 2 * GiB, problem: 'QEMU cannot reach /root' }, 'full').ok,
    ).toBe(false);
    expect(spaceVerdict({ ...s, freeBytes: 2 * GiB, writable: false }, 'full').ok).toBe(false);
  });
  it('progress: bytes, percent, rate, ETA; the phase before the copy', () => {
    expect(
      progressText(
        summary({
          progress: { done: GiB / 4, total: GiB, rate: 100 * 1024 * 1024, etaS: 90, disks: [] },
        }),
      ),
    ).toBe('256 MiB of 1.0 GiB (25 %) · 100 MiB/s · ETA 1 min 30 s');
    expect(
      progressText(
        summary({
          phases: [
            { phase: 'copy', status: 'done' },
            { phase: 'verify', status: 'running' },
          ],
          progress: { done: GiB, total: GiB, rate: 0, etaS: 0, disks: [] },
        }),
      ),
    ).toMatch(/^1\.0 GiB copied; checking the images/);
    expect(progressText(summary({ phases: [{ phase: 'freeze', status: 'running' }] }))).toBe(
      'freeze…',
    );
  });
  it('outcomes: the fallback to full says why; a cancel says the partial files went', () => {
    expect(
      outcomeText(
        summary({
          state: 'succeeded',
          mode: 'full',
          fullReason: 'no complete earlier export of this domain in /b',
          consistency: { label: 'quiesced', filesystems: 1 },
          windowMs: 120,
          folder: '/b/u/op',
        }),
      ),
    ).toBe(
      'Exported full (not incremental: no complete earlier export of this domain in /b): quiesced (1 filesystem), blocked writes for 120 ms, in /b/u/op.',
    );
    expect(outcomeText(summary({ state: 'failed', cancelled: true }))).toMatch(/Cancelled/);
  });
  it('history rows say the verification state', () => {
    const e: ExportEntry = {
      exportId: 'x',
      uuid: 'u',
      dest: '/b',
      folder: '/b/u/x',
      mode: 'incremental',
      ok: true,
      present: true,
      parent: '20261201T000000Z-aaaaaaaa',
      bytes: 1024 * 1024,
      label: 'quiesced',
      finishedAt: null,
      verification: 'failed',
      verifiedAt: null,
    };
    expect(entryText(e)).toBe(
      'incremental on 20261201T000000Z, 1.0 MiB copied — verification FAILED',
    );
    expect(entryText({ ...e, present: false })).toMatch(/gone from the destination/);
  });
});
