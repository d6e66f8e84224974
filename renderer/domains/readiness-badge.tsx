import type { Readiness, ReadinessLevel } from '../../shared/readiness';
import { READINESS_TONE, type ReadinessTone } from './readiness-view';

/** The general badge colours where a rung has no colour of its own (domains.css has those). */
const BADGE_CLASS: Record<ReadinessTone, string> = {
  ready: 'badge-ok',
  warn: 'badge-warn',
  neutral: 'badge-off',
  frozen: 'readiness-frozen',
  setup: 'readiness-setup',
};

/**
 * One shape per rung, so two rungs of one colour family (or a reader who cannot tell the
 * colours apart) are still told apart at a glance: a tick, a snowflake, a barred circle, an
 * exclamation, a broken link, a plus (a channel to add), pause bars, a power sign.
 */
const ICON_PATH: Record<ReadinessLevel, string> = {
  ready: 'M3 8.5l3.2 3.2L13 4.8',
  frozen: 'M8 1.5v13M2.4 4.8l11.2 6.4M2.4 11.2l11.2-6.4',
  'freeze-unsupported': 'M8 2.5a5.5 5.5 0 1 0 0.01 0M4.1 4.1l7.8 7.8',
  'agent-not-responding': 'M8 2.5v7M8 12.5v1',
  'agent-not-connected': 'M1.5 8h4.5M10 8h4.5M6 5.5l-1 -2M10 10.5l1 2',
  'no-channel': 'M8 3v10M3 8h10',
  paused: 'M5.5 3.5v9M10.5 3.5v9',
  'not-running': 'M8 2v6M4.6 4.6a4.8 4.8 0 1 0 6.8 0',
};

/** The rung's shape, for a badge or a filter chip; the words beside it say the same. */
export function ReadinessIcon({ level }: { level: ReadinessLevel }) {
  return (
    <svg className="readiness-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={ICON_PATH[level]} />
    </svg>
  );
}

/** The badge class of a rung's colour family, for anything drawn in its colours. */
export const badgeClassOf = (level: ReadinessLevel) => BADGE_CLASS[READINESS_TONE[level]];

/** A domain's readiness as an icon and a word, in its colour; the word is always there. */
export function ReadinessBadge({
  readiness,
  testId,
}: {
  readiness: Pick<Readiness, 'level' | 'label'>;
  testId?: string;
}) {
  return (
    <span
      className={`badge readiness ${badgeClassOf(readiness.level)}`}
      data-testid={testId}
      data-level={readiness.level}
    >
      <ReadinessIcon level={readiness.level} />
      {readiness.label}
    </span>
  );
}
