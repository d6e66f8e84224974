import { FailedPhaseSchema, PhaseSchema, type OperationEvent } from '../../../shared/snapshot';
import { b64Text as text, readJournalLines, type JournalLine } from './journal-line';

/**
 * The host runner's journal (host-scripts/snapshot-runner.sh): one JSON object a line. Pure: turns
 * lines into the contract's events, which shared/operation-model.ts folds into an operation's
 * summary, so a reattached app, another workstation and the history all read an operation the
 * same way.
 */
export { summarize } from '../../../shared/operation-model';

/**
 * The window as measured: freeze issued → thaw returned. The fine reading comes from the host's
 * `date` (ns); /proc/uptime (steady, 10 ms steps) guards it against a clock step in between.
 */
export function windowMs(raw: {
  windowStartRt: number;
  windowEndRt: number;
  windowStartMono: number;
  windowEndMono: number;
}): number {
  const fine = (raw.windowEndRt - raw.windowStartRt) / 1e6;
  const coarse = raw.windowEndMono - raw.windowStartMono;
  // whole seconds: a `date` without nanoseconds (busybox) says nothing finer than the mono clock
  const wholeSeconds = raw.windowStartRt % 1e9 === 0 && raw.windowEndRt % 1e9 === 0;
  // A steady reading that goes back is one the host could not take (now_mono writes 0 when
  // /proc/uptime cannot be read): the wall clock is all there is, and a window is never negative
  // (the contract refuses one).
  if (coarse < 0) return Math.max(0, Math.round(fine * 10) / 10);
  if (wholeSeconds || fine < 0 || Math.abs(fine - coarse) > 30) return coarse;
  return Math.round(fine * 10) / 10;
}

/** A paused guest's disk-only snapshot is crash-consistent: older journals called it "paused". */
const PAUSED_REASON =
  'the guest was paused: its unwritten data and filesystem journal were in its memory, not on its disks';

function takenOf(v: JournalLine & { ev: 'result' }): boolean | undefined {
  if (v.snapshotTaken === 'yes' || v.snapshotTaken === 1) return true;
  if (v.snapshotTaken === 'no' || v.snapshotTaken === 0) return false;
  return undefined;
}

/** One journal line as the contract's event (undefined for lines the UI does not show). */
export function toEvent(l: JournalLine): OperationEvent | undefined {
  const at = l.mono;
  switch (l.ev) {
    case 'start':
      return {
        kind: 'started',
        // The host protocol's `kind` (runner argument and start line) is the contract's `operation`.
        operation: l.kind,
        uuid: l.uuid,
        snapshot: l.snapshot,
        policy: l.policy,
        maxFreezeS: l.maxFreezeS,
        workstation: text(l.workstation) ?? '',
        user: text(l.user) ?? '',
        ...(l.pid !== undefined ? { pid: l.pid } : {}),
        at,
        ...(l.rt !== undefined ? { rt: l.rt } : {}),
      };
    case 'phase': {
      // A phase this app does not know (a newer runner) costs only its own line.
      const phase = PhaseSchema.safeParse(l.phase);
      if (!phase.success) return undefined;
      const detail = text(l.b64);
      return {
        kind: 'phase',
        phase: phase.data,
        status: l.status,
        ...(detail ? { detail } : {}),
        at,
      };
    }
    case 'disks':
      return {
        kind: 'disks',
        disks: l.disks.map((d) => ({
          target: text(d.target) ?? '',
          backing: text(d.backing) ?? '',
          overlay: text(d.overlay) ?? '',
        })),
        overlays: l.overlays,
        at,
      };
    case 'frozen':
      return { kind: 'frozen', filesystems: l.filesystems, at };
    case 'thawed':
      return { kind: 'thawed', windowMs: windowMs(l), at };
    case 'watchdog-fired':
      return { kind: 'watchdog', what: 'fired', at };
    case 'watchdog-thawed':
      return { kind: 'watchdog', what: 'thawed', detail: l.by, at };
    case 'watchdog-waiting':
      return { kind: 'watchdog', what: 'waiting', detail: text(l.b64) ?? '', at };
    case 'watchdog-released':
      return { kind: 'watchdog', what: 'released', at };
    case 'watchdog-gave-up':
      return { kind: 'watchdog', what: 'gave-up', at };
    case 'overlay':
      return l.act === 'kept'
        ? { kind: 'files', what: 'kept', detail: text(l.b64) ?? '', at }
        : undefined;
    case 'orphan-removed':
      return { kind: 'files', what: 'orphan-removed', detail: text(l.b64) ?? '', at };
    case 'metadata':
      return {
        kind: 'files',
        what: l.act === 'recorded' ? 'metadata-recorded' : 'metadata-failed',
        detail: text(l.b64) ?? '',
        at,
      };
    case 'result': {
      const said = text(l.b64);
      const outcome = l.ok ? l : l.outcome;
      const reason = l.ok ? said : text(l.outcome?.b64);
      const label = outcome?.label === 'paused' ? 'crash-consistent' : outcome?.label;
      const taken = takenOf(l);
      const failedPhase = FailedPhaseSchema.safeParse(l.failedPhase);
      return {
        kind: 'result',
        ok: l.ok,
        ...(label ? { label } : {}),
        ...(outcome?.filesystems !== undefined ? { filesystems: outcome.filesystems } : {}),
        ...(outcome?.label === 'paused' ? { reason: PAUSED_REASON } : reason ? { reason } : {}),
        ...(!l.ok && said ? { message: said } : {}),
        ...(failedPhase.success ? { failedPhase: failedPhase.data } : {}),
        ...(taken !== undefined ? { snapshotTaken: taken } : {}),
        at,
      };
    }
    case 'end':
      return { kind: 'end', at };
  }
}

/** The events of a journal text (or of one line of it): torn lines cost only themselves. */
export function parseJournal(textBlock: string): OperationEvent[] {
  return readJournalLines(textBlock).flatMap((l) => {
    const e = toEvent(l);
    return e ? [e] : [];
  });
}
