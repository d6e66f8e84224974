import type { Schedule, Retention } from '../../shared/schedule/policy';
import { RETENTION_RULES } from '../../shared/schedule/policy';
import { describeWhen } from '../../shared/schedule/next-run';
import type { ScheduleRun } from '../../shared/schedule/results';
import type { KeepReason } from '../../shared/schedule/prune-plan';

/** What a schedule snapshots, in words. */
export function describeTarget(s: Schedule, names: ReadonlyMap<string, string>): string {
  return s.target.kind === 'ready-agents'
    ? 'every domain whose agent answers'
    : (names.get(s.target.uuid) ?? s.target.uuid.slice(0, 8) + '…');
}

export function describeSchedule(s: Schedule): string {
  return describeWhen(s.when);
}

const RULE_WORD: Record<(typeof RETENTION_RULES)[number], string> = {
  last: 'last',
  hourly: 'hourly',
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
};

/** "keep last 2, daily 7" or "keep all". */
export function retentionSummary(r: Retention): string {
  const parts = RETENTION_RULES.filter((k) => r[k] > 0).map((k) => `${RULE_WORD[k]} ${r[k]}`);
  return parts.length ? `keep ${parts.join(', ')}` : 'keep all';
}

export const REASON_WORD: Record<KeepReason, string> = {
  last: 'last',
  hourly: 'hourly',
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  current: 'the guest runs on it',
  'in-use': 'used by another domain',
  held: 'held (restore or export)',
  'no-rule': 'no rule set',
};

export const RUN_WORD: Record<ScheduleRun['status'], string> = {
  ok: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  'prune-failed': 'prune failed',
};
export const RUN_TONE: Record<ScheduleRun['status'], string> = {
  ok: 'ok',
  failed: 'bad',
  skipped: 'warn',
  'prune-failed': 'warn',
};

/** A host time (epoch ms) in the workstation's words, with the date when it is not today. */
export function formatTime(ms: number, today = new Date()): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === today.toDateString()
    ? `today ${time}`
    : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}
