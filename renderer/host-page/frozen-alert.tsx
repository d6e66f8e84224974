import { useId } from 'react';
import type { HostProfile } from '../../shared/hosts';
import { thawMessage, useThaw } from '../domains/use-thaw';
import { useDomains } from '../domains/use-domains';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import './host-page.css';

/**
 * A guest found frozen is an emergency (docs/ARCHITECTURE.md, "Never left frozen"): its applications cannot write. This
 * banner names every frozen guest at the top of the host page with a way to thaw it, and keeps
 * the outcome on screen after the banner itself has gone.
 */
export function FrozenAlert({ host }: { host: HostProfile }) {
  const domains = useDomains(host.id, true);
  const thaw = useThaw(host.id);
  const titleId = useId();
  const frozen = (domains.data?.domains ?? []).filter((d) => d.readiness.level === 'frozen');
  const error = thaw.isError && <ErrorBox error={errorShape(thaw.error)} testId="thaw-error" />;

  return (
    <>
      {frozen.length > 0 && (
        <div
          className="box frozen-banner"
          role="alert"
          aria-labelledby={titleId}
          data-testid="frozen-banner"
        >
          <h3 id={titleId} className="frozen-title">
            {frozen.length === 1
              ? `${frozen[0]!.name} is frozen`
              : `${frozen.length} guests are frozen`}
          </h3>
          <p>
            {frozen.length === 1
              ? 'Its filesystems are frozen: applications in the guest cannot write until it is thawed.'
              : 'Their filesystems are frozen: applications in these guests cannot write until they are thawed.'}{' '}
            Thaw now, unless another tool is in the middle of a snapshot.
          </p>
          <ul className="frozen-list">
            {frozen.map((d) => {
              const busy = thaw.isPending && thaw.variables?.uuid === d.uuid;
              return (
                <li key={d.uuid} className="inline-row wrap gap-3">
                  <span className="frozen-name">{d.name}</span>
                  <span className="mono small muted">{d.uuid}</span>
                  <button
                    type="button"
                    className="danger"
                    data-testid={`thaw-${d.name}`}
                    disabled={thaw.isPending}
                    onClick={() => thaw.mutate(d)}
                  >
                    {busy ? 'Thawing…' : 'Thaw now'}
                    <span className="visually-hidden"> {d.name}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          {error}
        </div>
      )}
      {frozen.length === 0 && error}
      {thaw.isSuccess && (
        <div className="notice-ok" role="status" data-testid="thaw-result">
          <span>{thawMessage(thaw.variables.name, thaw.data.thawed)}</span>
          <button type="button" className="quiet small" onClick={() => thaw.reset()}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}
