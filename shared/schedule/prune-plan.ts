import { z } from 'zod';
import { localTime, type HostTimeZone } from './next-run';
import { RETENTION_RULES, type Retention, type RetentionRule } from './policy';

/**
 * One of a schedule's snapshots as the prune sees it: its creation time and the host-local
 * periods it falls in. The host computes the periods (`date`, in its own time zone) so that the
 * preview and the host's prune (schedule-prune-plan.awk) bucket alike.
 */
export const PruneCandidateSchema = z.object({
  name: z.string(),
  /** libvirt's creationTime, epoch seconds. */
  created: z.number().int(),
  /** "YYYY-MM-DD HH", "YYYY-MM-DD", ISO "GGGG-VV", "YYYY-MM" in the host's time zone. */
  hour: z.string(),
  day: z.string(),
  week: z.string(),
  month: z.string(),
});
export type PruneCandidate = z.infer<typeof PruneCandidateSchema>;

/** Why a snapshot that no rule keeps is kept anyway. */
export const ProtectionSchema = z.enum(['current', 'in-use', 'held']);
export type Protection = z.infer<typeof ProtectionSchema>;

export const PrunePlanSchema = z.object({
  /** Newest first, with every reason it is kept. */
  keep: z.array(
    z.object({
      name: z.string(),
      created: z.number(),
      reasons: z.array(z.union([z.enum(RETENTION_RULES), ProtectionSchema, z.literal('no-rule')])),
    }),
  ),
  /** Oldest first: the order the host deletes them in. */
  delete: z.array(z.object({ name: z.string(), created: z.number() })),
});
export type PrunePlan = z.infer<typeof PrunePlanSchema>;
export type KeepReason = PrunePlan['keep'][number]['reasons'][number];

const PERIOD: Record<Exclude<RetentionRule, 'last'>, keyof PruneCandidate> = {
  hourly: 'hour',
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
};

/** Newest first; equal times by name, newest name first (both sides sort the same way). */
function newestFirst(a: PruneCandidate, b: PruneCandidate): number {
  if (a.created !== b.created) return b.created - a.created;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/**
 * What a prune keeps and deletes, restic's semantics (`restic forget --keep-*`): each rule on its
 * own over the snapshots newest first; `last` keeps the N newest; a period rule keeps the newest
 * snapshot of each of the N most recent periods that hold one. A snapshot kept by any rule is
 * kept; with no rule set, everything is. `protectedNames` are kept whatever the rules say: the
 * snapshot the guest descends from, and ones a restore test or an export still uses.
 */
export function prunePlan(
  candidates: readonly PruneCandidate[],
  retention: Retention,
  protectedNames: ReadonlyMap<string, Protection> = new Map(),
): PrunePlan {
  const sorted = [...candidates].sort(newestFirst);
  const reasons = new Map<string, KeepReason[]>(sorted.map((c) => [c.name, []]));
  const anyRule = RETENTION_RULES.some((r) => retention[r] > 0);
  if (!anyRule) for (const c of sorted) reasons.get(c.name)!.push('no-rule');
  sorted.slice(0, retention.last).forEach((c) => reasons.get(c.name)!.push('last'));
  for (const rule of ['hourly', 'daily', 'weekly', 'monthly'] as const) {
    let left = retention[rule];
    let lastKey: string | undefined;
    for (const c of sorted) {
      if (left <= 0) break;
      const key = String(c[PERIOD[rule]]);
      if (key === lastKey) continue;
      lastKey = key;
      reasons.get(c.name)!.push(rule);
      left--;
    }
  }
  for (const c of sorted) {
    const p = protectedNames.get(c.name);
    if (p) reasons.get(c.name)!.push(p);
  }
  return {
    keep: sorted
      .filter((c) => reasons.get(c.name)!.length > 0)
      .map((c) => ({ name: c.name, created: c.created, reasons: reasons.get(c.name)! })),
    delete: sorted
      .filter((c) => reasons.get(c.name)!.length === 0)
      .reverse()
      .map((c) => ({ name: c.name, created: c.created })),
  };
}

/** The periods of an instant in a time zone, as the host's `date` writes them (for tests and tools). */
export function periodsOf(
  createdS: number,
  tz: HostTimeZone,
): Pick<PruneCandidate, 'hour' | 'day' | 'week' | 'month'> {
  const l = localTime(createdS * 1000, tz);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const day = `${l.year}-${p2(l.month)}-${p2(l.day)}`;
  // ISO 8601 week: the week holding that week's Thursday, numbered within its year (date's %G-%V).
  const d = new Date(Date.UTC(l.year, l.month - 1, l.day));
  const iso = (l.weekday + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - iso + 3);
  const isoYear = d.getUTCFullYear();
  const week = 1 + Math.floor((d.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * 86_400_000));
  return {
    hour: `${day} ${p2(l.hour)}`,
    day,
    week: `${isoYear}-${p2(week)}`,
    month: `${l.year}-${p2(l.month)}`,
  };
}
