import type { Readiness } from '../../shared/readiness';
import { READINESS_TONE } from './readiness-view';

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
      className={`badge readiness readiness-${READINESS_TONE[readiness.level]}`}
      data-testid={testId}
      data-level={readiness.level}
    >
      {readiness.label}
    </span>
  );
}
