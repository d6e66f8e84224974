import type { Domain } from '../../shared/domains';
import type { Readiness } from '../../shared/readiness';
import { ReadinessBadge } from '../domains/readiness-badge';
import { READINESS_TONE } from '../domains/readiness-view';
import { thawMessage, useThaw } from '../domains/use-thaw';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { Remedy } from '../ui/remedy';

/** A frozen guest's way out, right under the verdict that says it is frozen. */
function ThawNow({ hostId, domain }: { hostId: string; domain: Pick<Domain, 'uuid' | 'name'> }) {
  const thaw = useThaw(hostId);
  return (
    <div className="verdict-actions inline-row wrap gap-3">
      <button
        type="button"
        className="danger"
        data-testid="doctor-thaw"
        disabled={thaw.isPending}
        onClick={() => thaw.mutate(domain)}
      >
        {thaw.isPending ? 'Thawing…' : 'Thaw now'}
      </button>
      {thaw.isSuccess && (
        <span role="status" data-testid="doctor-thaw-result">
          {thawMessage(domain.name, thaw.data.thawed)}
        </span>
      )}
      {thaw.isError && <ErrorBox error={errorShape(thaw.error)} testId="doctor-thaw-error" />}
    </div>
  );
}

/** The doctor's conclusion: the same readiness the badge shows, with its why and what to do. */
export function DoctorVerdict({
  hostId,
  domain,
  readiness,
}: {
  hostId: string;
  domain: Pick<Domain, 'uuid' | 'name'>;
  readiness: Readiness;
}) {
  return (
    <div
      className={`doctor-verdict tone-${READINESS_TONE[readiness.level]}`}
      data-testid="doctor-verdict"
      data-level={readiness.level}
    >
      <div className="verdict-head inline-row">
        <span className="verdict-caption">Verdict</span>
        <ReadinessBadge readiness={readiness} />
      </div>
      <p>{readiness.detail}</p>
      {readiness.remedy && <Remedy text={readiness.remedy} />}
      {readiness.level === 'frozen' && <ThawNow hostId={hostId} domain={domain} />}
    </div>
  );
}
