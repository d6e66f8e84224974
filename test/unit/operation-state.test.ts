import { describe, expect, it } from 'vitest';
import {
  addPhaseLine,
  journalOutcome,
  operationState,
  type PhaseStep,
} from '../../shared/operation-state';
import { readRevertLines, summarizeRevert } from '../../electron/services/revert/revert-journal';

/** The rules every journalled operation reads alike (shared/operation-state.ts). */
describe('operation state', () => {
  it('the result line decides; without it an end or a dead runner is lost', () => {
    expect(operationState({ ok: true }, false, false)).toBe('succeeded');
    expect(operationState({ ok: false }, true, true)).toBe('failed');
    expect(operationState(undefined, true, false)).toBe('lost');
    expect(operationState(undefined, false, true)).toBe('lost');
    expect(operationState(undefined, false, false)).toBe('running');
  });

  it('a closing line closes the open run; a closing line with none open is a run of its own', () => {
    const steps: PhaseStep[] = [];
    addPhaseLine(steps, 'stop', 'running', 'asking the agent');
    addPhaseLine(steps, 'stop', 'done', undefined);
    addPhaseLine(steps, 'start', 'failed', 'no such domain');
    expect(steps).toEqual([
      { phase: 'stop', status: 'done', detail: 'asking the agent' },
      { phase: 'start', status: 'failed', detail: 'no such domain' },
    ]);
  });
});

describe('revert journal on the shared line base', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  // as host-lib.sh writes it: `ev` first (a torn line is searched for `{"ev":`)
  const line = ({ ev, ...o }: { ev: string; [member: string]: unknown }) =>
    JSON.stringify({ ev, op: 'r1', mono: 5, ...o });

  it('reads the phase line every runner writes, and a line glued to a torn one', () => {
    const journal = [
      line({ ev: 'phase', phase: 'stop', status: 'running' }),
      `{"ev":"phase","op":"r1","mo${line({ ev: 'phase', phase: 'stop', status: 'failed', b64: b64('timeout') })}`,
      line({ ev: 'result', ok: false, failedPhase: 'stop' }),
    ].join('\n');
    const s = summarizeRevert('r1', readRevertLines(journal), false);
    expect(s.phases).toEqual([{ phase: 'stop', status: 'failed', detail: 'timeout' }]);
    expect(s.state).toBe('failed');
    expect(s.failedPhase).toBe('stop');
  });

  it('a phase this app does not know costs only its own line', () => {
    const journal = [
      line({ ev: 'phase', phase: 'teleport', status: 'running' }),
      line({ ev: 'phase', phase: 'Stop!', status: 'running' }),
      line({ ev: 'phase', phase: 'keep', status: 'done' }),
    ].join('\n');
    const s = summarizeRevert('r1', readRevertLines(journal), true);
    expect(s.phases).toEqual([{ phase: 'keep', status: 'done' }]);
    expect(s.state).toBe('lost');
  });
});

describe('journalOutcome', () => {
  type L = { ev: 'phase' } | { ev: 'result'; ok: boolean; n: number } | { ev: 'end' };
  const outcome = (lines: L[], gone = false) =>
    journalOutcome<L, L & { ev: 'result' }>(lines, gone);

  it('reads the last result line and the state by the one rule', () => {
    expect(outcome([{ ev: 'phase' }])).toEqual({ result: undefined, state: 'running' });
    expect(outcome([{ ev: 'phase' }], true).state).toBe('lost');
    expect(outcome([{ ev: 'phase' }, { ev: 'end' }]).state).toBe('lost');
    const two: L[] = [
      { ev: 'result', ok: true, n: 1 },
      { ev: 'result', ok: false, n: 2 },
      { ev: 'end' },
    ];
    expect(outcome(two)).toEqual({ result: { ev: 'result', ok: false, n: 2 }, state: 'failed' });
    expect(outcome([{ ev: 'result', ok: true, n: 1 }], true).state).toBe('succeeded');
  });
});
