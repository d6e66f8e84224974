import type { PhaseRun } from '../../shared/snapshot';
import { formatMs } from '../ui/format';
import { formatWindow } from './operation-format';

/** The journal times phases in 10 ms steps: closer than this to the window, they add up. */
const STEP_SLACK_MS = 10;
const IN_WINDOW = ['freeze', 'cut', 'thaw'] as const;

/**
 * How the blocked-write window splits into its phases, in one sentence: freeze + cut + thaw and
 * whether they add up to the window measured on the host, or why not: a phase not timed, the
 * time between the steps, or phases that overlap (the runner journals the ends of freeze, cut
 * and thaw after the thaw, as nothing is written while frozen).
 */
export function windowBreakdown(runs: readonly PhaseRun[], windowMs: number): string {
  const parts = IN_WINDOW.map((phase) => ({
    phase,
    ms: runs.find((r) => r.phase === phase)?.ms ?? null,
  }));
  const untimed = parts.filter((p) => p.ms === null).map((p) => p.phase);
  const listed = parts.map((p) => `${p.phase} ${formatMs(p.ms)}`).join(' + ');
  if (untimed.length > 0)
    return `${listed}: ${untimed.join(' and ')} not timed by the host, so the phases cannot be added up to the ${formatWindow(windowMs)} window.`;
  const sum = parts.reduce((a, p) => a + p.ms!, 0);
  const gap = windowMs - sum;
  if (Math.abs(gap) <= STEP_SLACK_MS) return `${listed} = the ${formatWindow(windowMs)} window.`;
  return gap > 0
    ? `${listed} = ${formatMs(sum)}; the other ${formatMs(gap)} of the ${formatWindow(windowMs)} window went between the steps (each step's result is read before the next).`
    : `${listed} = ${formatMs(sum)}, more than the ${formatWindow(windowMs)} window: the runner writes these phases' ends to the journal only after the thaw (nothing is written while the guest is frozen), so their times overlap; the window is timed on its own, from the freeze being issued to the thaw returning.`;
}
