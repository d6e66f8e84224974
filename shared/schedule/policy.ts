import { z } from 'zod';
import { DomainUuidSchema } from '../domains';
import { MaxFreezeSchema, QuiescePolicySchema } from '../snapshot';

/**
 * A schedule's id: part of every snapshot name it makes (`<id>-YYYYMMDDTHHMMSS`), of its folder on
 * the host and of its crontab marker, so a conservative set: lower-case letters, digits and "-".
 */
export const ScheduleIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'Use up to 32 lower-case letters, digits or "-"');
export type ScheduleId = z.infer<typeof ScheduleIdSchema>;

/** "HH:MM", 24-hour, in the host's time zone. */
export const ClockTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time of day as HH:MM (00:00 to 23:59)');

/**
 * Every N hours runs at minute M of the hours 0, N, 2N… of each day. N divides 24 so that cron's
 * `*\/N` and systemd's `0/N` fire at the same hours and the spacing stays even across midnight.
 */
export const EVERY_HOURS = [1, 2, 3, 4, 6, 8, 12] as const;

/** When a schedule runs, in the host's time zone (cron and systemd both read local time). */
export const WhenSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('every-hours'),
    hours: z
      .number()
      .int()
      .refine((n) => (EVERY_HOURS as readonly number[]).includes(n), {
        message: `Every 1, 2, 3, 4, 6, 8 or 12 hours`,
      }),
    minute: z.number().int().min(0).max(59),
  }),
  z.object({ kind: z.literal('daily'), at: ClockTimeSchema }),
  z.object({
    kind: z.literal('weekly'),
    /** 0 = Sunday … 6 = Saturday, as cron counts. */
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1, 'Pick at least one day')
      .transform((d) => [...new Set(d)].sort((a, b) => a - b)),
    at: ClockTimeSchema,
  }),
]);
export type When = z.infer<typeof WhenSchema>;

/** One domain by UUID, or every running domain whose agent answers when the job runs. */
export const ScheduleTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('domain'), uuid: DomainUuidSchema }),
  z.object({ kind: z.literal('ready-agents') }),
]);
export type ScheduleTarget = z.infer<typeof ScheduleTargetSchema>;

const keep = z.number().int().min(0).max(1000).default(0);
/**
 * How many of the schedule's own snapshots to keep, restic's `forget --keep-*` rules: the last N,
 * and the newest snapshot of each of the last N hours / days / ISO weeks / months that have one.
 * All zero keeps everything (as restic refuses to forget with no rule).
 */
export const RetentionSchema = z.object({
  last: keep,
  hourly: keep,
  daily: keep,
  weekly: keep,
  monthly: keep,
});
export type Retention = z.infer<typeof RetentionSchema>;
export const RETENTION_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly'] as const;
export type RetentionRule = (typeof RETENTION_RULES)[number];

/**
 * What to do when the agent does not answer when the job runs: skip (no snapshot, a failure is
 * recorded and the hook runs) or take a crash-consistent snapshot, labelled with the reason.
 */
export const AgentNotReadySchema = z.enum(['skip', 'crash-consistent']);
export type AgentNotReady = z.infer<typeof AgentNotReadySchema>;

export const ScheduleSchema = z.object({
  id: ScheduleIdSchema,
  target: ScheduleTargetSchema,
  when: WhenSchema,
  /** What each run makes: a consistent snapshot (exports join here once they exist). */
  what: z.literal('snapshot').default('snapshot'),
  /** When the agent answers but cannot freeze: take nothing (require) or crash-consistent. */
  policy: QuiescePolicySchema.default('require'),
  maxFreezeS: MaxFreezeSchema.default(10),
  whenAgentNotReady: AgentNotReadySchema.default('skip'),
  retention: RetentionSchema.prefault({}),
});
export type Schedule = z.infer<typeof ScheduleSchema>;
export type ScheduleInput = z.input<typeof ScheduleSchema>;

/** The snapshot names a schedule makes and prunes: `<id>-YYYYMMDDTHHMMSS`, host local time. */
export function scheduleSnapshotPattern(id: ScheduleId): RegExp {
  return new RegExp(`^${id}-\\d{8}T\\d{6}$`);
}
