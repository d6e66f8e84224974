import { z } from 'zod';
import { ScheduleSchema } from './policy';

/** One line of a schedule's results.jsonl on the host (host-scripts/schedule-job.sh), decoded. */
export const ScheduleRunSchema = z.object({
  schedule: z.string(),
  run: z.string(),
  /** ok; failed (no snapshot); skipped (agent not ready); prune-failed (snapshot taken, prune not). */
  status: z.enum(['ok', 'failed', 'skipped', 'prune-failed']),
  uuid: z.string(),
  /** The snapshot operation's id in HOSTDIR/ops ("" when the runner never started). */
  op: z.string(),
  snapshot: z.string(),
  failedPhase: z.string(),
  error: z.string(),
  pruned: z.array(z.string()),
  pruneError: z.string(),
  /** Epoch seconds, host clock. */
  start: z.number(),
  end: z.number(),
});
export type ScheduleRun = z.infer<typeof ScheduleRunSchema>;

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
  /** Host clock at the time of reading, epoch ms. */
  now: z.number(),
  /** IANA name, or "" when the host did not say (then `offset` is used). */
  timeZone: z.string(),
  /** `date +%z`, e.g. "+0100". */
  offset: z.string(),
  user: z.string(),
  crontab: z.boolean(),
  systemdUser: z.boolean(),
  linger: z.boolean(),
  /** The host hook's command, "" when none. */
  hook: z.string(),
  /** Epoch seconds up to which failures were seen (schedule.markSeen); 0 when never. */
  seen: z.number(),
});
export type HostScheduling = z.infer<typeof HostSchedulingSchema>;

export const AlertSchema = z.object({
  schedule: z.string(),
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

/** Failures newer than what the admin has seen, newest first. Pure. */
export function alertsSince(
  schedules: readonly { runs: readonly ScheduleRun[] }[],
  seen: number,
): Alert[] {
  return schedules
    .flatMap((s) => s.runs)
    .filter((r) => r.status !== 'ok' && r.end > seen)
    .sort((a, b) => b.end - a.end)
    .map(alertOf);
}

/** `schedule.list`: the host's schedules, how it can schedule, and the failures not seen yet. */
export const ScheduleListingSchema = z.object({
  host: HostSchedulingSchema,
  schedules: z.array(ScheduleOnHostSchema),
  unreadable: z.array(z.object({ id: z.string(), why: z.string() })),
  alerts: z.array(AlertSchema),
});
export type ScheduleListingAnswer = z.infer<typeof ScheduleListingSchema>;
