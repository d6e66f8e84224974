import type { AppErrorShape, ErrorCode } from '../../shared/errors';
import type { ExportSummary } from '../../shared/export';
import type { ConnectResult } from '../../shared/hosts';
import type { DoctorReport } from '../../shared/readiness';
import type { RestoreTestResult } from '../../shared/restore-test';
import type { RevertSummary } from '../../shared/revert';
import type { OperationSummary } from '../../shared/snapshot';

/**
 * What `quiesce` exits with: one code per kind of outcome, so a script can tell a consistent
 * snapshot from a crash-consistent one, a refusal from a failure, and a host-key question from a
 * network problem without reading the text (docs/cli.md, "Exit codes"). Pure.
 */
export const EXIT = {
  /** Done. A snapshot is consistent (quiesced, or offline: the domain was not running). */
  ok: 0,
  /** An operation or a host command failed, or its outcome was lost. */
  failed: 1,
  /** The command line is wrong, or a value is not valid. */
  usage: 2,
  /** The snapshot was taken but is only crash-consistent (allowed by --allow-crash-consistent). */
  crashConsistent: 3,
  /** Nothing was done: the agent cannot freeze under policy require, the domain is busy, … */
  refused: 4,
  /** The host offers a key known_hosts does not have: shown, never accepted silently. */
  hostKeyUnknown: 5,
  /** The host offers another key than known_hosts has (or a revoked one): refused. */
  hostKeyChanged: 6,
  /** No connection: the network, the login, the key file or its passphrase. */
  connectFailed: 7,
  /** No such host profile, domain, snapshot or branch. */
  notFound: 8,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
export type Outcome = keyof typeof EXIT;

/** The name a code goes by in --json output (`outcome`). */
export function outcomeOf(code: ExitCode): Outcome {
  return (Object.keys(EXIT) as Outcome[]).find((k) => EXIT[k] === code) ?? 'failed';
}

/** The code each kind of service error exits with (every ErrorCode: the compiler checks). */
const EXIT_FOR_ERROR: Record<ErrorCode, ExitCode> = {
  'invalid-input': EXIT.usage,
  'not-found': EXIT.notFound,
  'not-connected': EXIT.connectFailed,
  'auth-failed': EXIT.connectFailed,
  'key-file': EXIT.connectFailed,
  'connect-failed': EXIT.connectFailed,
  'host-command-failed': EXIT.failed,
  internal: EXIT.failed,
};

/** An error the services answered with. */
export function exitForError(error: Pick<AppErrorShape, 'code'>): ExitCode {
  return EXIT_FOR_ERROR[error.code];
}

/** The code each connect outcome exits with: a host-key question is not a network failure. */
const EXIT_FOR_CONNECT: Record<ConnectResult['status'], ExitCode> = {
  connected: EXIT.ok,
  'host-key-unknown': EXIT.hostKeyUnknown,
  'host-key-changed': EXIT.hostKeyChanged,
  'host-key-revoked': EXIT.hostKeyChanged,
  'passphrase-required': EXIT.connectFailed,
};

/** A connect that did not connect. */
export function exitForConnect(result: ConnectResult): ExitCode {
  return EXIT_FOR_CONNECT[result.status];
}

/** Phases that fail before anything is touched: the runner declined (lock held, not ready). */
const REFUSING_PHASES = new Set(['lock', 'preflight']);

/** A failed revert or export stopped at the lock or the preflight: it declined, touching nothing. */
function refused(summary: { state: string; failedPhase: string | null }): boolean {
  return (
    summary.state === 'failed' &&
    summary.failedPhase !== null &&
    REFUSING_PHASES.has(summary.failedPhase)
  );
}

/**
 * A snapshot's (or a test freeze's) outcome. A failure before anything was cut, at the lock or
 * the preflight, is a refusal; a failure that left a snapshot behind is still a failure (the
 * snapshot is not reported as consistent).
 */
export function exitForSnapshot(
  summary: Pick<OperationSummary, 'state' | 'label' | 'snapshotTaken' | 'phases'>,
): ExitCode {
  if (summary.state === 'succeeded') {
    switch (summary.label?.kind) {
      case 'quiesced':
      case 'offline':
      case 'test-freeze':
        return EXIT.ok;
      default:
        return EXIT.crashConsistent;
    }
  }
  if (summary.state === 'failed' && summary.snapshotTaken === false) {
    const failed = summary.phases.findLast((p) => p.status === 'failed');
    if (failed && REFUSING_PHASES.has(failed.phase)) return EXIT.refused;
  }
  return EXIT.failed;
}

/** The doctor: 0 when a consistent snapshot can be taken now, else "refused" (not ready). */
export function exitForDoctor(report: Pick<DoctorReport, 'readiness'>): ExitCode {
  return report.readiness.level === 'ready' ? EXIT.ok : EXIT.refused;
}

/** A revert (or its recovery): refused when it stopped at the lock or preflight untouched. */
export function exitForRevert(
  summary: Pick<RevertSummary, 'state' | 'failedPhase' | 'outcome'>,
): ExitCode {
  if (summary.state === 'succeeded') return EXIT.ok;
  return summary.outcome === 'untouched' && refused(summary) ? EXIT.refused : EXIT.failed;
}

/** A restore test: 0 only when the clone booted and its agent answered. */
export function exitForRestoreTest(result: Pick<RestoreTestResult, 'restorable'>): ExitCode {
  return result.restorable === true ? EXIT.ok : EXIT.failed;
}

/**
 * An export: consistent (quiesced) 0, crash-consistent 3, stopped untouched at the lock or the
 * preflight 4, anything else (failed, cancelled, lost) 1.
 */
export function exitForExport(
  summary: Pick<ExportSummary, 'state' | 'consistency' | 'failedPhase'>,
): ExitCode {
  if (summary.state === 'succeeded')
    return summary.consistency?.label === 'quiesced' ? EXIT.ok : EXIT.crashConsistent;
  return refused(summary) ? EXIT.refused : EXIT.failed;
}

/**
 * `schedule ls --check`, for a monitoring script: 1 (failed) while the host has failures nobody
 * has marked seen (`schedule seen`); without --check the listing always answers 0.
 */
export function exitForAlerts(listing: { alerts: readonly unknown[] }, check: boolean): ExitCode {
  return check && listing.alerts.length > 0 ? EXIT.failed : EXIT.ok;
}
