import type { OperationEvent, OperationSummary, SnapshotLabel } from '../../../shared/snapshot';

/**
 * The host runner's journal (host-scripts/snapshot-runner.sh): one JSON object a line. Pure: turns
 * lines into the contract's events and an operation's summary, so a reattached app, another
 * workstation and the history all read an operation the same way.
 */

const text = (b64: unknown) =>
  typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8').trim() : undefined;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * The window as measured: freeze issued → thaw returned. The fine reading comes from the host's
 * `date` (ns); /proc/uptime (steady, 10 ms steps) guards it against a clock step in between.
 */
export function windowMs(raw: Record<string, unknown>): number {
  const fine = (num(raw.windowEndRt) - num(raw.windowStartRt)) / 1e6;
  const coarse = num(raw.windowEndMono) - num(raw.windowStartMono);
  if (fine < 0 || Math.abs(fine - coarse) > 30) return coarse;
  return Math.round(fine * 10) / 10;
}

export function parseJournalLine(line: string): OperationEvent | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined; // a line being written while we read: the next read has it whole
  }
  const at = num(raw.mono);
  switch (raw.ev) {
    case 'start':
      return {
        kind: 'started',
        operation: raw.kind === 'test-freeze' ? 'test-freeze' : 'snapshot',
        uuid: String(raw.uuid ?? ''),
        snapshot: String(raw.snapshot ?? ''),
        policy: String(raw.policy ?? ''),
        maxFreezeS: num(raw.maxFreezeS),
        workstation: text(raw.workstation) ?? '',
        user: text(raw.user) ?? '',
        ...(typeof raw.pid === 'number' ? { pid: raw.pid } : {}),
        at,
        rt: num(raw.rt),
      };
    case 'phase': {
      const status = raw.status === 'done' || raw.status === 'failed' ? raw.status : 'running';
      const detail = text(raw.b64);
      return { kind: 'phase', phase: String(raw.phase), status, ...(detail ? { detail } : {}), at };
    }
    case 'disks':
      return {
        kind: 'disks',
        disks: (Array.isArray(raw.disks) ? raw.disks : []).map((d: Record<string, unknown>) => ({
          target: text(d.target) ?? '',
          backing: text(d.backing) ?? '',
          overlay: text(d.overlay) ?? '',
        })),
        overlays: raw.overlays === 'precreated' ? 'precreated' : 'libvirt',
        at,
      };
    case 'frozen':
      return { kind: 'frozen', filesystems: num(raw.filesystems), at };
    case 'thawed':
      return { kind: 'thawed', windowMs: windowMs(raw), at };
    case 'watchdog-fired':
      return { kind: 'watchdog', what: 'fired', at };
    case 'watchdog-thawed':
      return { kind: 'watchdog', what: 'thawed', detail: String(raw.by ?? ''), at };
    case 'watchdog-gave-up':
      return { kind: 'watchdog', what: 'gave-up', at };
    case 'result': {
      const label = ['quiesced', 'crash-consistent', 'offline', 'paused', 'test-freeze'].includes(
        String(raw.label),
      )
        ? (raw.label as 'quiesced')
        : undefined;
      const said = text(raw.b64);
      return {
        kind: 'result',
        ok: raw.ok === true,
        ...(label ? { label } : {}),
        ...(typeof raw.filesystems === 'number' ? { filesystems: raw.filesystems } : {}),
        ...(raw.ok === true && said ? { reason: said } : {}),
        ...(raw.ok !== true && said ? { message: said } : {}),
        ...(typeof raw.failedPhase === 'string' ? { failedPhase: raw.failedPhase } : {}),
        ...(typeof raw.snapshotTaken === 'number'
          ? { snapshotTaken: raw.snapshotTaken === 1 }
          : {}),
        at,
      };
    }
    case 'end':
      return { kind: 'end', at };
    default:
      return undefined;
  }
}

export function parseJournal(textBlock: string): OperationEvent[] {
  return textBlock
    .split('\n')
    .map(parseJournalLine)
    .filter((e): e is OperationEvent => e !== undefined);
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

  let label: SnapshotLabel | undefined;
  if (result?.kind === 'result' && result.ok) {
    label =
      result.label === 'quiesced'
        ? { kind: 'quiesced', filesystems: result.filesystems ?? 0 }
        : result.label === 'test-freeze'
          ? { kind: 'test-freeze', filesystems: result.filesystems ?? 0 }
          : result.label === 'crash-consistent'
            ? { kind: 'crash-consistent', reason: result.reason ?? 'no freeze' }
            : result.label === 'paused'
              ? { kind: 'paused' }
              : { kind: 'offline' };
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
      message: `The snapshot failed at “${phase}”${result.snapshotTaken ? ' after the snapshot was cut: it exists but is NOT reported as consistent' : '; no snapshot was taken'}.`,
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
