import { FREEZE_PHASES } from '../../shared/operation-model';
import type {
  OperationEvent,
  OperationState,
  Phase,
  PhaseRun,
  WatchdogWhat,
} from '../../shared/snapshot';
import { PHASES } from '../../shared/vocabulary';

/**
 * How one step of the timeline stands. Beyond the journal's running/done/failed: `pending` (not
 * yet), `skipped` (not needed in this run: nothing to freeze), `not-reached` (the operation
 * stopped before it), `interrupted` (it was running when the runner stopped).
 */
export type StepStatus =
  'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'not-reached' | 'interrupted';

export interface PhaseStep {
  phase: Phase;
  status: StepStatus;
  ms: number | null;
  detail?: string;
}

export const PHASE_TITLE: Record<Phase, string> = {
  lock: 'Lock',
  preflight: 'Preflight',
  prepare: 'Prepare',
  arm: 'Arm watchdog',
  freeze: 'Freeze',
  cut: 'Cut',
  thaw: 'Thaw',
  disarm: 'Disarm',
  metadata: 'Record',
  verify: 'Verify',
};

/** What each step does, in a line (the step's tooltip and its screen-reader description). */
export const PHASE_PURPOSE: Record<Phase, string> = {
  lock: 'One operation per domain at a time',
  preflight: 'Domain state and the agent’s freeze status',
  prepare: 'Overlay files made before anything is frozen',
  arm: 'A watchdog on the host that thaws after the maximum freeze time',
  freeze: 'guest-fsfreeze-freeze: the guest’s filesystems stop writing',
  cut: 'External snapshot of every disk, in the same virsh session',
  thaw: 'guest-fsfreeze-thaw: writes go on',
  disarm: 'The watchdog is stood down',
  metadata:
    'libvirt records the snapshot, after the thaw (its metadata write is kept out of the window)',
  verify: 'Guest thawed, snapshot listed by libvirt',
};

/**
 * Every phase of a consistent snapshot in order, each with how it stands. Phases the run did not
 * need (no freeze for a paused or shut-off guest, or a crash-consistent cut) are `skipped` as soon
 * as that is known.
 */
export function phaseSteps(runs: readonly PhaseRun[], state: OperationState): PhaseStep[] {
  const last = new Map<Phase, PhaseRun>();
  for (const run of runs) last.set(run.phase, run);
  const preflight = last.get('preflight');
  const nothingToFreeze =
    preflight?.status === 'done' &&
    (preflight.detail === 'offline' || preflight.detail === 'paused');
  return PHASES.map((phase, i) => {
    const run = last.get(phase);
    if (run) {
      const status: StepStatus =
        run.status === 'running' && state !== 'running' ? 'interrupted' : run.status;
      return { phase, status, ms: run.ms, ...(run.detail ? { detail: run.detail } : {}) };
    }
    const laterSeen = PHASES.slice(i + 1).some((p) => last.has(p));
    const status: StepStatus =
      laterSeen || (nothingToFreeze && FREEZE_PHASES.has(phase))
        ? 'skipped'
        : state === 'running'
          ? 'pending'
          : state === 'succeeded'
            ? 'skipped'
            : 'not-reached';
    return { phase, status, ms: null };
  });
}

/** What the live view needs besides the phases, straight from the events. */
export interface LiveFacts {
  frozen?: { filesystems: number };
  windowMs: number | null;
  watchdog?: { what: WatchdogWhat; detail?: string };
  ended: boolean;
}

export function liveFacts(events: readonly OperationEvent[]): LiveFacts {
  const facts: LiveFacts = { windowMs: null, ended: false };
  for (const e of events) {
    if (e.kind === 'frozen') facts.frozen = { filesystems: e.filesystems };
    else if (e.kind === 'thawed') facts.windowMs = e.windowMs;
    else if (e.kind === 'watchdog')
      facts.watchdog = { what: e.what, ...(e.detail ? { detail: e.detail } : {}) };
    else if (e.kind === 'end') facts.ended = true;
  }
  return facts;
}
