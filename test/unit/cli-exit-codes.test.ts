import { describe, expect, it } from 'vitest';
import {
  EXIT,
  exitForConnect,
  exitForDoctor,
  exitForError,
  exitForRestoreTest,
  exitForRevert,
  exitForSnapshot,
  outcomeOf,
} from '../../electron/cli/exit-codes';
import { readRevertLines, summarizeRevert } from '../../electron/services/revert/revert-journal';
import { summarize } from '../../shared/operation-model';
import { capturedJournal } from '../support/captured-journal';

const key = { type: 'ssh-ed25519', fingerprint: 'SHA256:' + 'A'.repeat(43) };

describe('quiesce exit codes', () => {
  it('are distinct, each with its name', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(outcomeOf(EXIT.crashConsistent)).toBe('crashConsistent');
    expect(outcomeOf(EXIT.ok)).toBe('ok');
  });

  it('tell a snapshot’s outcome from the journals the real runner wrote', () => {
    // quiesced → 0; crash-consistent (allowed) → 3; refused at preflight, nothing cut → 4
    expect(exitForSnapshot(summarize('op', capturedJournal('clean')))).toBe(EXIT.ok);
    expect(exitForSnapshot(summarize('op', capturedJournal('test-freeze')))).toBe(EXIT.ok);
    expect(exitForSnapshot(summarize('op', capturedJournal('crashok')))).toBe(EXIT.crashConsistent);
    expect(exitForSnapshot(summarize('op', capturedJournal('refused')))).toBe(EXIT.refused);
    // A failure once the freeze was under way is a failure, not a refusal, whatever was cut.
    expect(exitForSnapshot(summarize('op', capturedJournal('cutfails')))).toBe(EXIT.failed);
    expect(exitForSnapshot(summarize('op', capturedJournal('agenthung')))).toBe(EXIT.failed);
    // A runner killed before recording its outcome: lost, a failure.
    const lost = summarize('op', capturedJournal('runnerkilled'), true);
    expect(lost.state).toBe('lost');
    expect(exitForSnapshot(lost)).toBe(EXIT.failed);
  });

  it('call an offline or paused snapshot what its label says', () => {
    const base = { state: 'succeeded' as const, phases: [], snapshotTaken: true };
    expect(exitForSnapshot({ ...base, label: { kind: 'offline' } })).toBe(EXIT.ok);
    expect(exitForSnapshot({ ...base, label: { kind: 'paused' } })).toBe(EXIT.crashConsistent);
    // No label at all is never "consistent".
    expect(exitForSnapshot({ ...base })).toBe(EXIT.crashConsistent);
  });

  it('a lock held by another operation is a refusal', () => {
    expect(
      exitForSnapshot({
        state: 'failed',
        snapshotTaken: false,
        phases: [{ phase: 'lock', status: 'failed', ms: 0 }],
      }),
    ).toBe(EXIT.refused);
    // …but not when whether a snapshot was made is unknown
    expect(
      exitForSnapshot({ state: 'failed', phases: [{ phase: 'lock', status: 'failed', ms: 0 }] }),
    ).toBe(EXIT.failed);
  });

  it('map the services’ errors', () => {
    expect(exitForError({ code: 'invalid-input' })).toBe(EXIT.usage);
    expect(exitForError({ code: 'not-found' })).toBe(EXIT.notFound);
    for (const code of ['not-connected', 'auth-failed', 'key-file', 'connect-failed'] as const)
      expect(exitForError({ code })).toBe(EXIT.connectFailed);
    expect(exitForError({ code: 'host-command-failed' })).toBe(EXIT.failed);
    expect(exitForError({ code: 'internal' })).toBe(EXIT.failed);
  });

  it('map a connect’s host-key outcomes: unknown, changed and revoked apart', () => {
    expect(exitForConnect({ status: 'connected', hostKey: key })).toBe(EXIT.ok);
    expect(
      exitForConnect({
        status: 'host-key-unknown',
        hostKey: key,
        knownHostsPath: 'k',
        knownTypes: [],
      }),
    ).toBe(EXIT.hostKeyUnknown);
    expect(
      exitForConnect({
        status: 'host-key-changed',
        hostKey: key,
        knownHostsPath: 'k',
        expected: [],
      }),
    ).toBe(EXIT.hostKeyChanged);
    expect(
      exitForConnect({ status: 'host-key-revoked', hostKey: key, knownHostsPath: 'k', line: 1 }),
    ).toBe(EXIT.hostKeyChanged);
    expect(exitForConnect({ status: 'passphrase-required', keyPath: 'k', wrong: false })).toBe(
      EXIT.connectFailed,
    );
  });

  it('the doctor: 0 only when ready', () => {
    const r = (level: string) => ({ readiness: { level } }) as Parameters<typeof exitForDoctor>[0];
    expect(exitForDoctor(r('ready'))).toBe(EXIT.ok);
    for (const level of ['not-running', 'agent-not-connected', 'frozen', 'no-channel'])
      expect(exitForDoctor(r(level))).toBe(EXIT.refused);
  });

  it('a revert: refused only when it stopped untouched at the lock or the preflight', () => {
    const line = (o: object) => JSON.stringify({ op: 'x', mono: 0, ...o });
    const journal = (result: object) =>
      summarizeRevert(
        'x',
        readRevertLines(
          [
            line({ ev: 'phase', phase: 'lock', status: 'running' }),
            line({ ev: 'result', ...result }),
          ].join('\n'),
        ),
        false,
      );
    expect(exitForRevert(journal({ ok: true, outcome: 'finished' }))).toBe(EXIT.ok);
    expect(exitForRevert(journal({ ok: false, failedPhase: 'lock', outcome: 'untouched' }))).toBe(
      EXIT.refused,
    );
    expect(
      exitForRevert(journal({ ok: false, failedPhase: 'preflight', outcome: 'untouched' })),
    ).toBe(EXIT.refused);
    expect(exitForRevert(journal({ ok: false, failedPhase: 'stop', outcome: 'rolled-back' }))).toBe(
      EXIT.failed,
    );
    expect(exitForRevert(journal({ ok: false, failedPhase: 'start', outcome: 'unknown' }))).toBe(
      EXIT.failed,
    );
  });

  it('a restore test: 0 only when restorable', () => {
    expect(exitForRestoreTest({ restorable: true })).toBe(EXIT.ok);
    expect(exitForRestoreTest({ restorable: false })).toBe(EXIT.failed);
    expect(exitForRestoreTest({ restorable: null })).toBe(EXIT.failed);
  });
});
