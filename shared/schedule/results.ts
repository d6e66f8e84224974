import { z } from 'zod';
import { ScheduleIdSchema, ScheduleSchema } from './policy';
import { slowWindow } from '../window-median';
import { DurationMsSchema, EpochSecondsSchema } from '../values';

/** One line of a schedule's results.jsonl on the host (host-scripts/schedule-job.sh), decoded. */
export const ScheduleRunSchema = z.object({
  /** The schedule's id (the job's ID, installed from its ScheduleSchema), and this run's. */
  schedule: ScheduleIdSchema,
  run: z.string(),
  /** ok; failed (no snapshot); skipped (agent not ready); prune-failed (snapshot taken, prune not). */
  status: z.enum(['ok', 'failed', 'skipped', 'prune-failed']),
  uuid: z.string(),
  /** The snapshot operation's id in HOSTDIR/ops ("" when the runner never started). */
  op: z.string(),
  /** The snapshot's name ("" when none was taken). */
  snapshot: z.string(),
  /** Where the snapshot failed and why ("" when it did not). */
  failedPhase: z.string(),
  error: z.string(),
  /** Snapshots the retention removed after this one, and why pruning failed ("" when it did not). */
  pruned: z.array(z.string()),
  pruneError: z.string(),
  /** When the job started and ended the run (schedule-job.sh's `date +%s`). */
  start: EpochSecondsSchema,
  end: EpochSecondsSchema,
  /** The watchdog fired during the run (it thawed the guest, not the runner). */
  watchdog: z.boolean().optional(),
  /** The blocked-write window, host monotonic clock; null when nothing froze. */
  windowMs: DurationMsSchema.nullable().optional(),
});
export type ScheduleRun = z.infer<typeof ScheduleRunSchema>;

/** How a schedule is installed on the host: a crontab line, a systemd user timer (on or off). */
export const InstalledAsSchema = z.enum(['cron', 'systemd', 'systemd-off', 'none']);

export const ScheduleOnHostSchema = z.object({
  schedule: ScheduleSchema,
  /** What really starts it now: its crontab line, its enabled timer, or nothing. */
  installed: InstalledAsSchema,
  /** A run of it is going on now. */
  running: z.boolean(),
  /** Epoch ms of the next run (host's time zone), null when nothing starts it. */
  nextRun: z.number().nullable(),
  /** Newest first. */
  runs: z.array(ScheduleRunSchema),
});
export type ScheduleOnHost = z.infer<typeof ScheduleOnHostSchema>;

export const HostSchedulingSchema = z.object({
  /** Host clock at the time of reading, epoch ms: schedule-list.sh's `date +%s`, times 1000. */
  now: z.number().int().nonnegative(),
  /** IANA name, or "" when the host did not say (then `offset` is used). */
  timeZone: z.string(),
  /** `date +%z`, e.g. "+0100". */
  offset: z.string(),
  /** The SSH user the schedules run as. */
  user: z.string(),
  /**
   * What can start a schedule there: `crontab`; a systemd user manager, and lingering (its timers
   * keep running after the user logs out).
   */
  crontab: z.boolean(),
  systemdUser: z.boolean(),
  linger: z.boolean(),
  /** The host hook's command, "" when none. */
  hook: z.string(),
  /** Up to when failures were seen (schedule.markSeen's `upTo`); 0 when never. */
  seen: EpochSecondsSchema,
});
export type HostScheduling = z.infer<typeof HostSchedulingSchema>;

/** A scheduled run worth the admin's attention: a failure, or a success with a warning. */
export const AlertSchema = z.object({
  /** The run's schedule. */
  schedule: ScheduleIdSchema,
  run: ScheduleRunSchema,
  /** What went wrong, in a sentence. */
  message: z.string(),
  /** What to do about it. */
  remedy: z.string(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** An alert's sentence and remedy from a failed run. Pure. */
export function alertOf(run: ScheduleRun): Alert {
  const where = run.snapshot ? ` (snapshot ${run.snapshot})` : '';
  switch (run.status) {
    case 'skipped':
      return {
        schedule: run.schedule,
        run,
        message: `Skipped: ${run.error}`,
        remedy:
          'Start the guest agent in the guest (the agent doctor shows why it does not answer), or let this schedule take crash-consistent snapshots when the agent is not ready.',
      };
    case 'prune-failed':
      return {
        schedule: run.schedule,
        run,
        message: `The snapshot was taken${where}, but pruning failed: ${run.pruneError || run.error}`,
        remedy:
          'Old snapshots stay until the next prune succeeds. Check the chain in the history (no block job running, libvirt ≥ 9.0), then run the schedule again.',
      };
    default:
      return {
        schedule: run.schedule,
        run,
        message: `No snapshot: ${run.failedPhase ? `failed at ${run.failedPhase}: ` : ''}${run.error}`,
        remedy: remedyFor(run),
      };
  }
}

function remedyFor(run: ScheduleRun): string {
  switch (run.failedPhase) {
    case 'lock':
      return 'Another operation held the domain (or the previous run was still going): it runs again at the next time; if this repeats, look at the host’s operations.';
    case 'preflight':
      return 'The guest could not be frozen as the policy requires: the agent doctor shows why. Or allow crash-consistent snapshots for this schedule.';
    case 'freeze':
    case 'thaw':
      return 'The agent could not freeze or thaw the guest: run the agent doctor’s test freeze. The guest is never left frozen (the watchdog thaws it).';
    case 'prepare':
    case 'cut':
      return 'libvirt could not take the snapshot: the operation’s journal (in the history) has libvirt’s own words. Check free space and the chain.';
    default:
      return 'Open the operation in the host’s operations list for its journal; the job’s own log is job.log in the schedule’s folder on the host.';
  }
}

/**
 * What is worth an alert in a run that succeeded: the watchdog thawed the guest, or the
 * blocked-write window was far above the median of the same domain's earlier scheduled runs.
 */
export function successAlert(run: ScheduleRun, earlier: readonly ScheduleRun[]): Alert | undefined {
  if (run.status !== 'ok') return undefined;
  if (run.watchdog) {
    return {
      schedule: run.schedule,
      run,
      message: `The watchdog thawed the guest during ${run.snapshot || 'the run'}: the freeze lasted as long as the maximum freeze allows.`,
      remedy:
        'The snapshot is labelled as the host confirmed it. Look at the operation’s phases for what was slow (a hung agent, a slow cut); raise the maximum freeze only if the guest tolerates it.',
    };
  }
  const windows = earlier
    .filter((r) => r.uuid === run.uuid && r.status === 'ok' && typeof r.windowMs === 'number')
    .map((r) => r.windowMs!);
  const slow = typeof run.windowMs === 'number' ? slowWindow(run.windowMs, windows) : undefined;
  if (slow) {
    return {
      schedule: run.schedule,
      run,
      message: `Writes were blocked for ${run.windowMs} ms in ${run.snapshot}, against a median of ${Math.round(slow.medianMs)} ms for this domain.`,
      remedy:
        'Look at the operation’s phases: a slow freeze points at the guest (busy disks, many filesystems), a slow cut at the host (storage, a block job).',
    };
  }
  return undefined;
}

/** Failures and success warnings newer than what the admin has seen, newest first. Pure. */
export function alertsSince(
  schedules: readonly { runs: readonly ScheduleRun[] }[],
  seen: number,
): Alert[] {
  const runs = schedules.flatMap((s) => s.runs).sort((a, b) => a.end - b.end);
  const out: Alert[] = [];
  runs.forEach((r, i) => {
    if (r.end <= seen) return;
    const a = r.status === 'ok' ? successAlert(r, runs.slice(0, i)) : alertOf(r);
    if (a) out.push(a);
  });
  return out.reverse();
}

/** `schedule.list`: the host's schedules, how it can schedule, and the failures not seen yet. */
export const ScheduleListingSchema = z.object({
  host: HostSchedulingSchema,
  schedules: z.array(ScheduleOnHostSchema),
  unreadable: z.array(z.object({ id: z.string(), why: z.string() })),
  alerts: z.array(AlertSchema),
});
export type ScheduleListingAnswer = z.infer<typeof ScheduleListingSchema>;
