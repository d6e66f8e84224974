import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { HostProfile } from '../../shared/hosts';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { filterDomains, sortDomains, stateSummary } from './domain-list-view';
import { StateBadge } from './state-badge';
import { useDomains } from './use-domains';

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** The domains of a connected host: name, UUID and state, with a filter for long lists. */
export function DomainTable({ host }: { host: HostProfile }) {
  const domains = useDomains(host.id, true);
  const [filter, setFilter] = useState('');
  // Typing stays responsive with hundreds of rows: the table catches up a beat later.
  const deferredFilter = useDeferredValue(filter);
  const titleId = useId();
  const filterId = useId();
  const all = useMemo(() => sortDomains(domains.data?.domains ?? []), [domains.data]);
  const shown = useMemo(() => filterDomains(all, deferredFilter), [all, deferredFilter]);

  return (
    <section className="domains" aria-labelledby={titleId} aria-busy={domains.isFetching}>
      <div className="section-head">
        <h3 id={titleId}>
          Domains
          {domains.data && (
            <span className="count" data-testid="domain-count">
              {shown.length === all.length ? all.length : `${shown.length} of ${all.length}`}
            </span>
          )}
        </h3>
        <div className="section-tools">
          {domains.data && (
            <span className="muted small" data-testid="domains-fetched-at">
              as of {timeFormat.format(new Date(domains.data.fetchedAt))}
            </span>
          )}
          <button
            type="button"
            data-testid="refresh-domains"
            disabled={domains.isFetching}
            onClick={() => void domains.refetch()}
          >
            {domains.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      {domains.isPending && !domains.isError && (
        <p className="placeholder" role="status">
          Loading domains…
        </p>
      )}
      {domains.isError && <ErrorBox error={errorShape(domains.error)} />}
      {domains.data && all.length === 0 && (
        <p className="placeholder" data-testid="domains-empty">
          No domains are defined under <span className="mono">{host.libvirtUri}</span> on this host.
        </p>
      )}
      {all.length > 0 && (
        <>
          <div className="table-tools">
            <label htmlFor={filterId} className="visually-hidden">
              Filter domains
            </label>
            <input
              id={filterId}
              type="search"
              className="filter"
              placeholder="Filter by name, UUID or state"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && filter) {
                  setFilter('');
                  e.preventDefault();
                }
              }}
              data-testid="domain-filter"
            />
            <span className="muted small">{stateSummary(all)}</span>
          </div>
          <div className="table-wrap">
            <table className="domain-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">UUID</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((d) => (
                  <tr key={d.uuid} data-testid={`domain-row-${d.name}`}>
                    <td className="domain-name">{d.name}</td>
                    <td className="mono small uuid">{d.uuid}</td>
                    <td>
                      <StateBadge state={d.state} testId={`domain-state-${d.name}`} />
                    </td>
                  </tr>
                ))}
                {shown.length === 0 && (
                  <tr>
                    <td colSpan={3} className="muted no-match">
                      No domain matches “{filter}”.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
