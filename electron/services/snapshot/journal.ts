import type { OperationEvent, OperationSummary, SnapshotLabel } from '../../../shared/snapshot';
import { readJournalLines, type JournalLine } from './journal-line';

/**
 * The host runner's journal (host-scripts/snapshot-runner.sh): one JSON object a line. Pure: turns
 * lines into the contract's events and an operation's summary, so a reattached app, another
 * workstation and the history all read an operation the same way.
 */

const text = (b64: string | undefined) =>
  b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8').trim();

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
      const detail = text(l.b64);
      return { kind: 'phase', phase: l.phase, status: l.status, ...(detail ? { detail } : {}), at };
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
    case 'result': {
      const said = text(l.b64);
      const outcome = l.ok ? l : l.outcome;
      const reason = l.ok ? said : text(l.outcome?.b64);
      const label = outcome?.label === 'paused' ? 'crash-consistent' : outcome?.label;
      const taken = takenOf(l);
      return {
        kind: 'result',
        ok: l.ok,
        ...(label ? { label } : {}),
        ...(outcome?.filesystems !== undefined ? { filesystems: outcome.filesystems } : {}),
        ...(outcome?.label === 'paused' ? { reason: PAUSED_REASON } : reason ? { reason } : {}),
        ...(!l.ok && said ? { message: said } : {}),
        ...(l.failedPhase !== undefined ? { failedPhase: l.failedPhase } : {}),
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

const NEXT_STEP: Record<string, string> = {
  preflight: 'Check the agent doctor for this domain, or choose "allow crash-consistent".',
  lock: 'Wait for the other operation to finish; the history shows it.',
  prepare: 'Check free space and permissions in the disk images’ folder on the host.',
  freeze: 'Run the agent doctor: the agent could not freeze the guest’s filesystems.',
  cut: 'Check libvirt’s message above: the disk folder must be writable by libvirt and searchable by QEMU.',
  thaw: 'The watchdog keeps thawing until the agent answers; check the guest’s agent (doctor).',
  verify: 'Check the snapshot list and the guest’s freeze status (doctor).',
  runner: 'Look at runner.log in the operation’s folder on the host.',
};

/**
 * What an operation came to, from its events. `runnerGone` says the runner is no longer alive on
 * the host: a journal without an end then means the runner was killed (the watchdog still thaws).
 */
export function summarize(
  opId: string,
  events: readonly OperationEvent[],
  runnerGone = false,
): OperationSummary {
  const start = events.find((e) => e.kind === 'started');
  const result = events.find((e) => e.kind === 'result');
  const ended = events.some((e) => e.kind === 'end');
  const thawed = events.find((e) => e.kind === 'thawed');
  const disksEv = events.find((e) => e.kind === 'disks');
  const watch = events.filter((e) => e.kind === 'watchdog').at(-1);

  const phases: OperationSummary['phases'] = [];
  for (const e of events) {
    if (e.kind !== 'phase') continue;
    const open = phases.findLast((p) => p.phase === e.phase && p.status === 'running');
    if (e.status === 'running' || !open) {
      phases.push({
        phase: e.phase,
        status: e.status,
        ms: e.status === 'running' ? null : 0,
        ...(e.detail ? { detail: e.detail } : {}),
      });
      (phases.at(-1) as { startedAt?: number }).startedAt = e.at;
    } else {
      open.status = e.status;
      open.ms = Math.max(0, e.at - ((open as { startedAt?: number }).startedAt ?? e.at));
      if (e.detail) open.detail = e.detail;
    }
  }
  for (const p of phases) delete (p as { startedAt?: number }).startedAt;

  // A failed run that still left a snapshot says what that snapshot is, too.
  let label: SnapshotLabel | undefined;
  if (result?.kind === 'result' && result.label) {
    label =
      result.label === 'quiesced'
        ? { kind: 'quiesced', filesystems: result.filesystems ?? 0 }
        : result.label === 'test-freeze'
          ? { kind: 'test-freeze', filesystems: result.filesystems ?? 0 }
          : result.label === 'offline'
            ? { kind: 'offline' }
            : { kind: 'crash-consistent', reason: result.reason ?? 'no freeze' };
  }
  const state: OperationSummary['state'] =
    result?.kind === 'result'
      ? result.ok
        ? 'succeeded'
        : 'failed'
      : ended || runnerGone
        ? 'lost'
        : 'running';
  let error: OperationSummary['error'];
  if (result?.kind === 'result' && !result.ok) {
    const phase = result.failedPhase ?? 'runner';
    error = {
      code: 'host-command-failed',
      message: `The snapshot failed at “${phase}”${
        result.snapshotTaken === true
          ? ' after the snapshot was cut: it exists but is NOT reported as consistent'
          : result.snapshotTaken === false
            ? '; no snapshot was taken'
            : '; whether a snapshot was taken is unknown: check the snapshot list'
      }.`,
      ...(result.message ? { cause: result.message } : {}),
      remedy: NEXT_STEP[phase] ?? NEXT_STEP.runner!,
    };
  } else if (state === 'lost') {
    error = {
      code: 'host-command-failed',
      message: 'The runner on the host stopped before recording an outcome.',
      cause:
        watch?.kind === 'watchdog'
          ? `watchdog: ${watch.what}${watch.detail ? ` (${watch.detail})` : ''}`
          : 'no watchdog record',
      remedy:
        'The watchdog thaws the guest; check the guest’s freeze status (doctor) and the snapshot list.',
    };
  }
  const startedAt =
    start?.kind === 'started' && start.rt ? new Date(start.rt / 1e6).toISOString() : undefined;
  return {
    opId,
    operation: start?.kind === 'started' ? start.operation : 'snapshot',
    uuid: start?.kind === 'started' ? start.uuid : '',
    snapshot: start?.kind === 'started' ? start.snapshot : '',
    policy: start?.kind === 'started' ? start.policy : '',
    workstation: start?.kind === 'started' ? start.workstation : '',
    user: start?.kind === 'started' ? start.user : '',
    ...(startedAt ? { startedAt } : {}),
    state,
    ...(label ? { label } : {}),
    windowMs: thawed?.kind === 'thawed' ? thawed.windowMs : null,
    phases,
    disks: disksEv?.kind === 'disks' ? disksEv.disks : [],
    ...(disksEv?.kind === 'disks' ? { overlays: disksEv.overlays } : {}),
    ...(watch?.kind === 'watchdog'
      ? { watchdog: `${watch.what}${watch.detail ? ` (${watch.detail})` : ''}` }
      : {}),
    ...(error ? { error } : {}),
  };
}
