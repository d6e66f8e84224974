import { describe, expect, it } from 'vitest';
import { readRestoreLines, summarizeRestore } from '../../electron/services/export/restore-journal';
import { readOriginalOutput } from '../../electron/services/export/export-restore-original';
import { restoreRunAnswer } from '../../electron/services/export/export-restore';
import { RestoreRunSchema } from '../../shared/export-restore-run';

/**
 * A restore's journal (host-scripts/restore-runner.sh writes it; restore-runner.test.ts runs the
 * runner) folded into its summary, pure: phases, each disk's latest progress, the script's own
 * lines, the cancel and the outcome, a torn line costing only itself; and the call's answer
 * worked out from it.
 */
const b = (s: string) => Buffer.from(s, 'utf8').toString('base64');
let mono = 100;
const line = (ev: string, more: Record<string, unknown> = {}) =>
  JSON.stringify({ ev, op: 'OP', mono: mono++, rt: 1796156543962976000, ...more });
const start = (kind: string, name = '') =>
  line('start', {
    kind,
    uuid: 'U',
    pid: 42,
    exportId: 'E1',
    restoreId: 'R1',
    name: b(name),
    start: 1,
    workstation: b('ws'),
    user: b('me'),
  });
const phase = (p: string, status: string, why?: string) =>
  line('phase', { phase: p, status, ...(why ? { b64: b(why) } : {}) });
const progress = (target: string, done: number, total: number, etaS: number) =>
  line('progress', { target, done, total, rate: 1000, etaS });
const out = (text: string) => line('out', { b64: b(text) });
const result = (ok: boolean, code: number, more: Record<string, unknown> = {}) =>
  line('result', { ok, code, cancelled: code === 76, ...more });

describe('summarizeRestore', () => {
  it('a running new-domain restore: in its copy, each disk’s latest reading, cancellable', () => {
    const text = [
      start('restore', 'web-restored'),
      phase('check', 'running'),
      phase('check', 'done'),
      phase('copy', 'running'),
      progress('vda', 0, 1000, -1),
      progress('vda', 400, 1000, 3),
      out('disk vda /srv/web-restored-vda.qcow2'),
      progress('vdb', 0, 50, -1),
    ].join('\n');
    const s = summarizeRestore('OP', readRestoreLines(text), false);
    expect(s).toMatchObject({
      state: 'running',
      kind: 'restore',
      uuid: 'U',
      exportId: 'E1',
      restoreId: 'R1',
      name: 'web-restored',
      copied: false,
      cancelled: false,
      code: null,
      startedAt: new Date(1796156543962).toISOString(),
    });
    expect(s.phases).toEqual([
      { phase: 'check', status: 'done' },
      { phase: 'copy', status: 'running' },
    ]);
    expect(s.disks).toEqual([
      { target: 'vda', done: 400, total: 1000, rate: 1000, etaS: 3 },
      { target: 'vdb', done: 0, total: 50, rate: 1000, etaS: null },
    ]);
    expect(s.images).toEqual([{ target: 'vda', image: '/srv/web-restored-vda.qcow2' }]);
    // the same journal with no runner on the host: lost, not running forever
    expect(summarizeRestore('OP', readRestoreLines(text), true).state).toBe('lost');
    // the contract's RestoreRun: its ids as the runner took them, and "" before a start line
    expect(RestoreRunSchema.safeParse(s).success).toBe(true);
    const unstarted = summarizeRestore('OP', readRestoreLines(phase('check', 'running')), true);
    expect(unstarted).toMatchObject({ exportId: '', restoreId: '' });
    expect(RestoreRunSchema.safeParse(unstarted).success).toBe(true);
    expect(RestoreRunSchema.safeParse({ ...s, restoreId: 'R1; rm -rf' }).success).toBe(false);
  });
  it('over the original, finished: copied, stopped, switched, started; the answer from its lines', () => {
    const text = [
      start('restore-original'),
      phase('check', 'running'),
      out('state running'),
      out('chain vda /dest/E1/vda.qcow2'),
      out('need 1000'),
      out('free 99999'),
      phase('check', 'done'),
      phase('copy', 'running'),
      progress('vda', 1000, 1000, 0),
      out('disk vda /srv/web-vda.restore-S.qcow2'),
      out('copied'),
      phase('copy', 'done'),
      phase('stop', 'running'),
      out('stopped by agent shutdown in 2 s'),
      phase('stop', 'done', 'by agent shutdown in 2 s'),
      phase('switch', 'running'),
      out('switched'),
      phase('switch', 'done'),
      phase('start', 'running'),
      out('started'),
      phase('start', 'done'),
      result(true, 0),
      line('end'),
    ].join('\n');
    const s = summarizeRestore('OP', readRestoreLines(text), true);
    expect(s).toMatchObject({
      state: 'succeeded',
      kind: 'restore-original',
      copied: true,
      code: 0,
    });
    expect(s.phases.map((p) => `${p.phase} ${p.status}`)).toEqual([
      'check done',
      'copy done',
      'stop done',
      'switch done',
      'start done',
    ]);
    expect(s.phases[2]!.detail).toBe('by agent shutdown in 2 s');
    const o = readOriginalOutput(s.output.join('\n'));
    expect(o).toMatchObject({
      state: 'running',
      need: 1000,
      free: 99999,
      stopped: 'by agent shutdown in 2 s',
      switched: true,
      started: true,
    });
    expect(o.copied.get('vda')).toBe('/srv/web-vda.restore-S.qcow2');
  });
  it('cancelled in its copy; a torn line costs only itself; an out line keeps its spaces', () => {
    const torn = progress('vda', 10, 100, 9).slice(0, 30);
    const text = [
      start('restore', 'n'),
      phase('check', 'done'),
      phase('copy', 'running'),
      torn + progress('vda', 20, 100, 8),
      out('disk vda /srv/a  b.qcow2'),
      phase('copy', 'failed', 'cancelled during the copy: nothing was changed'),
      result(false, 76, {
        failedPhase: 'copy',
        b64: b('cancelled during the copy: nothing was changed'),
      }),
      line('end'),
    ].join('\n');
    const s = summarizeRestore('OP', readRestoreLines(text), false);
    expect(s).toMatchObject({
      state: 'failed',
      cancelled: true,
      code: 76,
      failedPhase: 'copy',
      message: 'cancelled during the copy: nothing was changed',
    });
    expect(s.disks).toEqual([{ target: 'vda', done: 20, total: 100, rate: 1000, etaS: 8 }]);
    expect(s.images).toEqual([{ target: 'vda', image: '/srv/a  b.qcow2' }]);
    expect(restoreRunAnswer(s, 'n', 'E1')).toEqual({
      uuid: '',
      name: 'n',
      disks: [],
      started: false,
      cancelled: true,
    });
  });
  it('the answer: refusals say what to do, a failure its words, a running one that it goes on', () => {
    const ended = (code: number, why: string) =>
      summarizeRestore(
        'OP',
        readRestoreLines(
          [
            start('restore', 'n'),
            result(false, code, { failedPhase: 'check', b64: b(why) }),
            line('end'),
          ].join('\n'),
        ),
        true,
      );
    expect(() => restoreRunAnswer(ended(67, 'too little room'), 'n', 'E1')).toThrow(
      /too little room/,
    );
    expect(() => restoreRunAnswer(ended(1, 'virsh define: no'), 'n', 'E1')).toThrow(
      /could not be restored/,
    );
    const running = summarizeRestore('OP', readRestoreLines(start('restore', 'n')), false);
    expect(() => restoreRunAnswer(running, 'n', 'E1')).toThrow(/goes on on the host/);
    const lost = summarizeRestore('OP', readRestoreLines(start('restore', 'n')), true);
    expect(() => restoreRunAnswer(lost, 'n', 'E1')).toThrow(/stopped before it said/);
  });
});
