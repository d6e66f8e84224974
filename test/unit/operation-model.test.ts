import { describe, expect, it } from 'vitest';
import { contract } from '../../shared/contract';
import { AppErrorSchema } from '../../shared/errors';
import { foldPhases, summarize } from '../../shared/operation-model';
import {
  OperationEventSchema,
  OperationSummarySchema,
  type OperationEvent,
} from '../../shared/snapshot';
import { capturedJournal as journal } from '../support/captured-journal';

const phase = (
  p: Extract<OperationEvent, { kind: 'phase' }>['phase'],
  status: 'running' | 'done' | 'failed',
  at: number,
  detail?: string,
): OperationEvent => ({ kind: 'phase', phase: p, status, at, ...(detail ? { detail } : {}) });

describe('operation model: phases', () => {
  it('times a phase from its running line to its closing line, on the host clock', () => {
    expect(
      foldPhases([
        phase('lock', 'running', 100),
        phase('lock', 'done', 130),
        phase('cut', 'running', 140),
      ]),
    ).toEqual([
      { phase: 'lock', status: 'done', ms: 30 },
      { phase: 'cut', status: 'running', ms: null },
    ]);
  });

  it('a closing line with no open run (the exit trap thawing) is a run of its own', () => {
    expect(foldPhases([phase('thaw', 'done', 500, 'thawed on the way out')])).toEqual([
      { phase: 'thaw', status: 'done', ms: 0, detail: 'thawed on the way out' },
    ]);
  });

  it('a phase run twice is two runs, and a clock read backwards costs 0 ms, never less', () => {
    expect(
      foldPhases([
        phase('thaw', 'running', 10),
        phase('thaw', 'failed', 5, 'no answer'),
        phase('thaw', 'running', 20),
        phase('thaw', 'done', 35),
      ]),
    ).toEqual([
      { phase: 'thaw', status: 'failed', ms: 0, detail: 'no answer' },
      { phase: 'thaw', status: 'done', ms: 15 },
    ]);
  });

  it('the summary carries the same phases the renderer folds from the stream', () => {
    for (const name of ['clean', 'cutfails', 'runnerkilled', 'test-freeze'] as const) {
      const events = journal(name);
      expect(summarize('op', events).phases).toEqual(foldPhases(events));
    }
  });
});

describe('operation model: summary', () => {
  it('says whether libvirt made the snapshot, from the result line, also after a failure', () => {
    expect(summarize('op', journal('clean')).snapshotTaken).toBe(true);
    expect(summarize('op', journal('cutfails')).snapshotTaken).toBe(false);
    expect(summarize('op', journal('runnerkilled'), true).snapshotTaken).toBeUndefined();
  });

  it('a journal with only a refusal of the runner arguments has no policy, and the runner remedy', () => {
    const events: OperationEvent[] = [
      {
        kind: 'result',
        ok: false,
        failedPhase: 'runner',
        message: 'invalid runner arguments: op',
        snapshotTaken: false,
        at: 0,
      },
      { kind: 'end', at: 0 },
    ];
    const s = summarize('op', events);
    expect(s).toMatchObject({ state: 'failed', operation: 'snapshot', snapshotTaken: false });
    expect(s).not.toHaveProperty('policy');
    expect(s.error?.remedy).toMatch(/runner\.log/);
    expect(OperationSummarySchema.safeParse(s).success).toBe(true);
  });

  it('every summary of the captured journals passes the contract', () => {
    for (const name of [
      'clean',
      'agenthung',
      'crashok',
      'cutfails',
      'refused',
      'runnerkilled',
      'test-freeze',
    ] as const) {
      expect(OperationSummarySchema.safeParse(summarize('op', journal(name), true)).success).toBe(
        true,
      );
    }
  });
});

describe('the contract types policy, phase and error code by their enums', () => {
  const started = {
    kind: 'started',
    operation: 'snapshot',
    uuid: 'u',
    snapshot: 's',
    policy: 'require',
    maxFreezeS: 10,
    workstation: 'w',
    user: 'u',
    at: 0,
  };

  it('refuses a policy, a phase, a failed phase or an error code it does not know', () => {
    expect(OperationEventSchema.safeParse(started).success).toBe(true);
    expect(OperationEventSchema.safeParse({ ...started, policy: 'sometimes' }).success).toBe(false);
    expect(OperationEventSchema.safeParse({ ...started, operation: 'export' }).success).toBe(false);
    expect(
      OperationEventSchema.safeParse({ kind: 'phase', phase: 'freeze', status: 'done', at: 1 })
        .success,
    ).toBe(true);
    expect(
      OperationEventSchema.safeParse({ kind: 'phase', phase: 'dance', status: 'done', at: 1 })
        .success,
    ).toBe(false);
    expect(
      OperationEventSchema.safeParse({ kind: 'result', ok: false, failedPhase: 'runner', at: 1 })
        .success,
    ).toBe(true);
    expect(
      OperationEventSchema.safeParse({ kind: 'result', ok: false, failedPhase: 'lunch', at: 1 })
        .success,
    ).toBe(false);
    expect(AppErrorSchema.safeParse({ code: 'not-found', message: 'm' }).success).toBe(true);
    expect(AppErrorSchema.safeParse({ code: 'oops', message: 'm' }).success).toBe(false);
    const summaries = contract['operations.list'].output;
    const s = summarize('op', journal('clean'));
    expect(summaries.safeParse({ operations: [s] }).success).toBe(true);
    expect(summaries.safeParse({ operations: [{ ...s, policy: 'maybe' }] }).success).toBe(false);
    expect(summaries.safeParse({ operations: [{ ...s, overlays: 'somewhere' }] }).success).toBe(
      false,
    );
  });
});
