import { describe, expect, it } from 'vitest';
import {
  readExportList,
  readExportSpace,
  readVerification,
} from '../../electron/services/export/export-readers';
import { readExportLines, summarizeExport } from '../../electron/services/export/export-journal';
import { ExportSpaceSchema } from '../../shared/export';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('export-list.sh lines', () => {
  it('reads entries newest first, with presence, chain and verification', () => {
    const line = (op: string, mode: string, present: boolean, parent: string, verified: string) =>
      JSON.stringify({
        index: {
          op,
          kind: 'export',
          uuid: 'u-1',
          dest: b64('/backup/a b'),
          mode,
          ok: true,
          rt: 1.7e18,
        },
        present,
        parent,
        bytes: present ? 1024 : null,
        label: present ? 'quiesced' : '',
        verified,
      });
    const text = [
      line('20261201T000000Z-aaaaaaaa', 'full', true, '', 'ok 1764547200'),
      '{"torn',
      line('20261201T010000Z-bbbbbbbb', 'incremental', false, '', ''),
    ].join('\n');
    const list = readExportList(text);
    expect(list.map((e) => e.exportId)).toEqual([
      '20261201T010000Z-bbbbbbbb',
      '20261201T000000Z-aaaaaaaa',
    ]);
    expect(list[1]).toMatchObject({
      dest: '/backup/a b',
      folder: '/backup/a b/u-1/20261201T000000Z-aaaaaaaa',
      mode: 'full',
      present: true,
      bytes: 1024,
      label: 'quiesced',
      verification: 'ok',
      verifiedAt: '2025-12-01T00:00:00.000Z',
    });
    expect(list[0]).toMatchObject({ mode: 'incremental', present: false, verification: 'never' });
  });
});

describe('export-space.sh', () => {
  it('reads free, full, writable and the problem', () => {
    expect(readExportSpace('free 1048576\nfull 67108864\nwritable 1\n')).toEqual({
      freeBytes: 1048576,
      fullBytes: 67108864,
      writable: true,
      problem: null,
    });
    expect(
      readExportSpace(
        'free 0\nfull 1\nwritable 0\nproblem QEMU cannot reach /root (chmod o+x /root)\n',
      ),
    ).toMatchObject({
      writable: false,
      problem: 'QEMU cannot reach /root (chmod o+x /root)',
    });
  });

  it('answers the contract’s ExportSpace: free may be negative (df past the reserve), full is a byte count', () => {
    const s = readExportSpace('free -4096\nfull 9007199254740993\nwritable 1\n');
    expect(ExportSpaceSchema.safeParse(s).success).toBe(true);
    expect(ExportSpaceSchema.safeParse({ ...s, fullBytes: -1 }).success).toBe(false);
    expect(ExportSpaceSchema.safeParse({ ...s, fullBytes: 1.5 }).success).toBe(false);
  });
});

describe('export-verify.sh lines', () => {
  it('is ok only when every disk and the chain check out', () => {
    const good = readVerification('disk\tvda\tok\tok\tok\t\nchain\tP1\tpresent\n');
    expect(good).toMatchObject({
      ok: true,
      problems: [],
      chain: [{ exportId: 'P1', present: true }],
    });
    const bad = readVerification(
      `disk\tvda\tmismatch\tok\tok\t${b64('sha256 x, the manifest says y')}\n`,
    );
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual(['vda: sha256 x, the manifest says y']);
    const broken = readVerification('disk\tvda\tok\tok\tok\t\nchain\tP1\tmissing\n');
    expect(broken.ok).toBe(false);
    expect(readVerification('').ok).toBe(false);
  });
});

describe('an export journal', () => {
  const op = '20261201T000000Z-aaaaaaaa';
  const l = (o: object) => JSON.stringify({ op, mono: 1, ...o });
  it('summarizes plan, progress, window and result; a torn line costs only itself', () => {
    const journal = [
      l({
        ev: 'start',
        kind: 'export',
        uuid: 'u',
        dest: b64('/b'),
        mode: 'incremental',
        policy: 'require',
        pid: 1,
        maxFreezeS: 10,
        workstation: '',
        user: '',
      }),
      l({
        ev: 'plan',
        mode: 'full',
        b64: b64('no complete earlier export'),
        parent: '',
        from: '',
        checkpoint: `quiesce-${op}`,
        needBytes: 10,
        freeBytes: 20,
      }),
      l({ ev: 'phase', phase: 'copy', status: 'running' }) + '{"ev":"pha',
      l({
        ev: 'thawed',
        windowStartRt: 1e18,
        windowEndRt: 1e18 + 150e6,
        windowStartMono: 100,
        windowEndMono: 250,
      }),
      l({
        ev: 'progress',
        done: 5,
        total: 10,
        rate: 5,
        etaS: 1,
        files: [{ target: 'vda', bytes: 4 }],
      }),
      l({ ev: 'watchdog-fired', maxFreezeS: 10 }),
      l({
        ev: 'result',
        ok: true,
        label: 'quiesced',
        filesystems: 1,
        mode: 'full',
        cancelled: false,
        bytes: 10,
      }),
      l({ ev: 'end' }),
    ].join('\n');
    const s = summarizeExport(op, readExportLines(journal), true);
    expect(s).toMatchObject({
      state: 'succeeded',
      modeAsked: 'incremental',
      mode: 'full',
      fullReason: 'no complete earlier export',
      windowMs: 150,
      progress: { done: 5, total: 10, etaS: 1, disks: [{ target: 'vda', bytes: 4 }] },
      consistency: { label: 'quiesced', filesystems: 1 },
      watchdog: 'fired',
    });
    expect(s.phases).toEqual([{ phase: 'copy', status: 'running' }]);
  });
  it('a runner gone without a result is lost', () => {
    expect(
      summarizeExport(
        op,
        readExportLines(l({ ev: 'phase', phase: 'copy', status: 'running' })),
        true,
      ).state,
    ).toBe('lost');
    expect(summarizeExport(op, [], false).state).toBe('running');
  });
});
