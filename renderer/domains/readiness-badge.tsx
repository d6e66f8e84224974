import type { Readiness } from '../../shared/readiness';
import { READINESS_TONE, type ReadinessTone } from './readiness-view';

/** The general badge colours where a rung has no colour of its own (domains.css has those). */
const BADGE_CLASS: Record<ReadinessTone, string> = {
  ready: 'badge-ok',
  warn: 'badge-warn',
  neutral: 'badge-off',
  frozen: 'readiness-frozen',
  setup: 'readiness-setup',
};

/** A domain's readiness as one coloured word; the word is always there, colour only helps. */
export function ReadinessBadge({
  readiness,
  testId,
}: {
  readiness: Pick<Readiness, 'level' | 'label'>;
  testId?: string;
}) {
  return (
    <span
      className={`badge readiness ${BADGE_CLASS[READINESS_TONE[readiness.level]]}`}
      data-testid={testId}
      data-level={readiness.level}
    >
      {readiness.label}
    </span>
  );
}
