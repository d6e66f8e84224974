import type { ReadinessLevel } from '../../shared/readiness';
import { READINESS_LEVELS } from '../../shared/vocabulary';

/**
 * The colour family of each rung, from what an admin must act on to what needs nothing:
 * frozen is an emergency, a silent or crippled agent a warning, a missing agent a setup task,
 * a guest that is not running simply neutral.
 */
export type ReadinessTone = 'ready' | 'frozen' | 'warn' | 'setup' | 'neutral';

export const READINESS_TONE: Record<ReadinessLevel, ReadinessTone> = {
  ready: 'ready',
  frozen: 'frozen',
  'freeze-unsupported': 'warn',
  'agent-not-responding': 'warn',
  'agent-not-connected': 'setup',
  'no-channel': 'setup',
  paused: 'neutral',
  'not-running': 'neutral',
};

/** The words for a count: "3 ready · 1 not responding". */
const COUNT_WORDS: Record<ReadinessLevel, string> = {
  ready: 'ready',
  frozen: 'frozen',
  'freeze-unsupported': 'freeze disabled',
  'agent-not-responding': 'not responding',
  'agent-not-connected': 'agent not started',
  'no-channel': 'no agent channel',
  paused: 'paused',
  'not-running': 'not running',
};

/** Ready first, then the rungs from the most to the least urgent, as the ladder runs backwards. */
const SUMMARY_ORDER = [...READINESS_LEVELS].reverse();

/** How many stand on each level present, in the ladder's order (the filter chips). */
export function levelCounts(
  levels: readonly ReadinessLevel[],
): { level: ReadinessLevel; count: number; words: string }[] {
  const counts = new Map<ReadinessLevel, number>();
  for (const level of levels) counts.set(level, (counts.get(level) ?? 0) + 1);
  return SUMMARY_ORDER.filter((level) => counts.has(level)).map((level) => ({
    level,
    count: counts.get(level)!,
    words: COUNT_WORDS[level],
  }));
}

/** "1 ready · 1 frozen · 2 agent not started": only the levels present, in the ladder's order. */
export function readinessSummary(levels: readonly ReadinessLevel[]): string {
  return levelCounts(levels)
    .map((c) => `${c.count} ${c.words}`)
    .join(' · ');
}
