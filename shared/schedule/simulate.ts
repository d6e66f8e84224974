import { nextRun, type HostTimeZone } from './next-run';
import type { Retention, When } from './policy';
import { periodsOf, prunePlan, type PruneCandidate } from './prune-plan';

/**
 * The editor's preview for a schedule: its runs over the next `days`, each followed by the prune
 * as the host does it, and what is left at the end, newest first. Pure (host time zone given).
 */
export function simulateRetention(
  when: When,
  retention: Retention,
  tz: HostTimeZone,
  fromMs: number,
  days: number,
): { runs: number; kept: PruneCandidate[]; deleted: number } {
  let kept: PruneCandidate[] = [];
  let t = fromMs;
  let runs = 0;
  let deleted = 0;
  const end = fromMs + days * 86_400_000;
  for (;;) {
    t = nextRun(when, t, tz);
    if (t > end || runs > 10_000) break;
    runs++;
    const created = Math.floor(t / 1000);
    kept.push({ name: `run-${String(runs).padStart(5, '0')}`, created, ...periodsOf(created, tz) });
    const plan = prunePlan(kept, retention);
    deleted += plan.delete.length;
    const gone = new Set(plan.delete.map((d) => d.name));
    kept = kept.filter((k) => !gone.has(k.name));
  }
  return { runs, kept: [...kept].sort((a, b) => b.created - a.created), deleted };
}
