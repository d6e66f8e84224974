import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { HostProfile } from '../../shared/hosts';
import type { InventoryDomain } from '../../shared/readiness';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { ListTable, RefreshButton, SearchField } from '../ui/table-parts';
import { useRovingFocus } from '../ui/use-roving-focus';
import { filterDomains, sortDomains, stateSummary } from './domain-list-view';
import { DOMAIN_COLUMNS, DomainRow } from './domain-row';
import { formatTime } from '../ui/format';
import { readinessSummary } from './readiness-view';
import { useDomains } from './use-domains';
import './domains.css';

/**
 * The domains of a connected host: name, UUID, state and readiness with its evidence, a filter
 * for long lists, and the way into each guest's consistent snapshot and agent doctor.
 */
export function DomainTable({
  host,
  onDoctor,
  onSnapshot,
}: {
  host: HostProfile;
  onDoctor: (domain: InventoryDomain) => void;
  onSnapshot: (domain: InventoryDomain) => void;
}) {
  const domains = useDomains(host.id, true);
  const [filter, setFilter] = useState('');
  // Typing stays responsive with hundreds of rows: the table catches up a beat later.
  const deferredFilter = useDeferredValue(filter);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const titleId = useId();
  const filterId = useId();
  const keysId = useId();
  const all = useMemo(() => sortDomains(domains.data?.domains ?? []), [domains.data]);
  const shown = useMemo(() => filterDomains(all, deferredFilter), [all, deferredFilter]);
  const readiness = useMemo(() => readinessSummary(all.map((d) => d.readiness.level)), [all]);
  // Up/Down between rows only from a row: inside an open evidence row the arrows scroll it.
  const rows = useRovingFocus(
    useMemo(() => shown.map((d) => d.uuid), [shown]),
    'tr.domain-row',
  );

  const toggle = (uuid: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(uuid)) next.add(uuid);
      return next;
    });

  return (
    <section className="domains stack" aria-labelledby={titleId} aria-busy={domains.isFetching}>
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
            <span
              className={`last-updated muted small${domains.isFetching ? ' is-refreshing' : ''}`}
            >
              <span className="refresh-dot" aria-hidden="true" />
              <span data-testid="last-updated" data-fetched-at={domains.data.fetchedAt}>
                updated {formatTime(domains.data.fetchedAt)}
              </span>
            </span>
          )}
          <RefreshButton query={domains} testId="refresh-domains" busyText="Refreshing…" />
        </div>
      </div>
      {domains.isPending && !domains.isError && (
        <p className="placeholder" role="status">
          Loading domains and checking their agents…
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
          <div className="table-tools inline-row gap-4">
            <SearchField
              id={filterId}
              label="Filter domains"
              placeholder="Filter by name, UUID, state or readiness"
              value={filter}
              onChange={setFilter}
              testId="domain-filter"
            />
            <div className="summaries small">
              <span data-testid="readiness-summary">{readiness}</span>
              <span className="muted" data-testid="state-summary">
                {stateSummary(all)}
              </span>
            </div>
          </div>
          <ListTable columns={DOMAIN_COLUMNS} describedBy={keysId} onKeyDown={rows.onKeyDown}>
            {shown.map((d) => (
              <DomainRow
                key={d.uuid}
                domain={d}
                expanded={expanded.has(d.uuid)}
                focus={rows.rowProps(d.uuid)}
                act={{
                  snapshot: () => onSnapshot(d),
                  doctor: () => onDoctor(d),
                  evidence: () => toggle(d.uuid),
                }}
              />
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={DOMAIN_COLUMNS.length} className="muted no-match">
                  No domain matches “{filter}”.
                </td>
              </tr>
            )}
          </ListTable>
          <p className="keys-hint muted small" id={keysId}>
            Keyboard: <kbd>↑</kbd> <kbd>↓</kbd> move between domains, <kbd>d</kbd> opens the focused
            domain’s agent doctor, <kbd>e</kbd> shows the evidence behind its readiness,{' '}
            <kbd>s</kbd> takes a consistent snapshot of it.
          </p>
        </>
      )}
    </section>
  );
}
