import type {
  FailedPhase,
  OperationEvent,
  OperationSummary,
  Phase,
  PhaseRun,
  SnapshotLabel,
} from './snapshot';
import { operationState } from './operation-state';

/**
 * What an operation's events mean, for main (the summary it answers with) and the renderer (the
 * live view it draws from the streamed events) alike: one rule, so the two never disagree.
 * Pure: events in, facts out.
 */

/** The phases inside the blocked-write window (freeze issued → thaw returned). */
export const WINDOW_PHASES: ReadonlySet<Phase> = new Set(['freeze', 'cut', 'thaw']);
/** The phases that exist only when something is frozen. */
export const FREEZE_PHASES: ReadonlySet<Phase> = new Set(['arm', 'freeze', 'thaw', 'disarm']);

/**
 * The phases as the events tell them, in order. A phase's `running` line opens a run and its
 * `done`/`failed` line closes it (timed on the host's clock); a closing line with no open run
 * (the runner's exit trap thawing) is a run of its own that took no time.
 */
export function foldPhases(events: readonly OperationEvent[]): PhaseRun[] {
  const runs: (PhaseRun & { startedAt: number })[] = [];
  for (const e of events) {
    if (e.kind !== 'phase') continue;
    const open = runs.findLast((p) => p.phase === e.phase && p.status === 'running');
    if (e.status === 'running' || !open) {
      runs.push({
        phase: e.phase,
        status: e.status,
        ms: e.status === 'running' ? null : 0,
        ...(e.detail ? { detail: e.detail } : {}),
        startedAt: e.at,
      });
    } else {
      open.status = e.status;
      open.ms = Math.max(0, e.at - open.startedAt);
      if (e.detail) open.detail = e.detail;
    }
  }
  return runs.map(({ startedAt: _startedAt, ...run }) => run);
}

const RUNNER_LOG = 'Look at runner.log in the operation’s folder on the host.';
/** What to do after a failure at each phase. */
const NEXT_STEP: Record<FailedPhase, string> = {
  lock: 'Wait for the other operation to finish; the history shows it.',
  preflight: 'Check the agent doctor for this domain, or choose "allow crash-consistent".',
  prepare: 'Check free space and permissions in the disk images’ folder on the host.',
  arm: RUNNER_LOG,
  freeze: 'Run the agent doctor: the agent could not freeze the guest’s filesystems.',
  cut: 'Check libvirt’s message above: the disk folder must be writable by libvirt and searchable by QEMU.',
  thaw: 'The watchdog keeps thawing until the agent answers; check the guest’s agent (doctor).',
  disarm: RUNNER_LOG,
  metadata:
    'The snapshot’s files are in use and kept; the next snapshot of this domain records it in libvirt (libvirt’s message is above).',
  verify: 'Check the snapshot list and the guest’s freeze status (doctor).',
  runner: RUNNER_LOG,
};

/** The label a result line claims, as the contract says it (`paused` is crash-consistent). */
function labelOf(result: Extract<OperationEvent, { kind: 'result' }>): SnapshotLabel | undefined {
  switch (result.label) {
    case undefined:
      return undefined;
    case 'quiesced':
      return { kind: 'quiesced', filesystems: result.filesystems ?? 0 };
    case 'test-freeze':
      return { kind: 'test-freeze', filesystems: result.filesystems ?? 0 };
    case 'offline':
      return { kind: 'offline' };
    case 'checkpoint':
      return { kind: 'checkpoint' };
    default:
      return { kind: 'crash-consistent', reason: result.reason ?? 'no freeze' };
  }
}

const watchdogText = (w: Extract<OperationEvent, { kind: 'watchdog' }>) =>
  `${w.what}${w.detail ? ` (${w.detail})` : ''}`;

/**
 * What an operation came to, from its events. `runnerGone` says the runner is no longer alive on
 * the host: a journal without an end then means the runner was killed (the watchdog still thaws).
 */
export function summarize(
  opId: string,
  events: readonly OperationEvent[],
  runnerGone = false,
): OperationSummary {
  const find = <K extends OperationEvent['kind']>(kind: K) =>
    events.find((e): e is Extract<OperationEvent, { kind: K }> => e.kind === kind);
  const start = find('started');
  const result = find('result');
  const thawed = find('thawed');
  const disks = find('disks');
  const ended = find('end') !== undefined;
  const watch = events
    .filter((e): e is Extract<OperationEvent, { kind: 'watchdog' }> => e.kind === 'watchdog')
    .at(-1);

  // A failed run that still left a snapshot says what that snapshot is, too.
  const label = result && labelOf(result);
  const snapshotTaken = result?.ok ? true : result?.snapshotTaken;
  const state = operationState(result, ended, runnerGone);
  let error: OperationSummary['error'];
  if (result && !result.ok) {
    const phase = result.failedPhase ?? 'runner';
    error = {
      code: 'host-command-failed',
      message: `The snapshot failed at “${phase}”${
        snapshotTaken === true
          ? ' after the snapshot was cut: it exists but is NOT reported as consistent'
          : snapshotTaken === false
            ? '; no snapshot was taken'
            : '; whether a snapshot was taken is unknown: check the snapshot list'
      }.`,
      ...(result.message ? { cause: result.message } : {}),
      remedy: NEXT_STEP[phase],
    };
  } else if (state === 'lost') {
    error = {
      code: 'host-command-failed',
      message: 'The runner on the host stopped before recording an outcome.',
      cause: watch ? `watchdog: ${watchdogText(watch)}` : 'no watchdog record',
      remedy:
        'The watchdog thaws the guest; check the guest’s freeze status (doctor) and the snapshot list.',
    };
  }
  const startedAt = start?.rt ? new Date(start.rt / 1e6).toISOString() : undefined;
  return {
    opId,
    operation: start?.operation ?? 'snapshot',
    uuid: start?.uuid ?? '',
    snapshot: start?.snapshot ?? '',
    ...(start ? { policy: start.policy } : {}),
    workstation: start?.workstation ?? '',
    user: start?.user ?? '',
    ...(startedAt ? { startedAt } : {}),
    state,
    ...(label ? { label } : {}),
    ...(snapshotTaken !== undefined ? { snapshotTaken } : {}),
    windowMs: thawed ? thawed.windowMs : null,
    phases: foldPhases(events),
    disks: disks ? disks.disks : [],
    ...(disks ? { overlays: disks.overlays } : {}),
    ...(watch ? { watchdog: watchdogText(watch) } : {}),
    ...(error ? { error } : {}),
  };
}
