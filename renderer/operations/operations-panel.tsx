import { useId, useMemo, useState } from 'react';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import type { OperationSummary } from '../../shared/snapshot';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { ListTable, RefreshButton, type Column } from '../ui/table-parts';
import { useRovingFocus } from '../ui/use-roving-focus';
import {
  formatWhen,
  formatWindow,
  labelShort,
  labelText,
  labelTone,
  STATE_TONE,
  STATE_WORD,
} from './operation-format';
import { OperationView } from './operation-view';
import { useOperations } from './use-operations';
import './operations.css';

const OPERATION_COLUMNS: readonly Column[] = [
  { text: 'Time' },
  { text: 'Domain' },
  { text: 'Snapshot' },
  { text: 'Label' },
  { text: 'Window', num: true },
  { text: 'State' },
  { text: 'By' },
];

const shortUuid = (uuid: string) => uuid.slice(0, 8);

/**
 * The host's recent snapshot operations, from the journals on the host: this workstation's and
 * everyone else's, failed ones too. A row opens its result (or its live progress) below the table.
 */
export function OperationsPanel({
  host,
  domains,
  selected,
  onSelect,
}: {
  host: HostProfile;
  domains: readonly Pick<Domain, 'uuid' | 'name'>[];
  selected: string | undefined;
  onSelect: (opId: string | undefined) => void;
}) {
  const ops = useOperations(host.id);
  const titleId = useId();
  const keysId = useId();
  const [today] = useState(() => new Date());
  const names = useMemo(() => new Map(domains.map((d) => [d.uuid, d.name])), [domains]);
  const list = ops.data?.operations ?? [];
  // Up/Down move between the rows, Home/End to the ends; Enter or Space opens the focused one.
  const rows = useRovingFocus(
    list.map((o) => o.opId),
    'tr.op-row',
  );
  const selectedListed = list.find((o) => o.opId === selected);
  const domainOf = (op: Pick<OperationSummary, 'uuid'>) => names.get(op.uuid);

  return (
    <section
      className="operations stack"
      aria-labelledby={titleId}
      aria-busy={ops.isFetching}
      data-testid="operations"
    >
      <div className="section-head">
        <h3 id={titleId}>
          Recent operations
          {ops.data && <span className="count">{list.length}</span>}
        </h3>
        <div className="section-tools">
          <span className="muted small">from the journals on the host, newest first</span>
          <RefreshButton query={ops} testId="refresh-operations" busyText="Reading…" />
        </div>
      </div>
      {ops.isPending && !ops.isError && (
        <p className="placeholder" role="status">
          Reading the host’s operation journals…
        </p>
      )}
      {ops.isError && <ErrorBox error={errorShape(ops.error)} testId="operations-error" />}
      {ops.data && list.length === 0 && (
        <p className="placeholder" data-testid="operations-empty">
          No snapshot has been taken on this host with Quiesce yet.
        </p>
      )}
      {list.length > 0 && (
        <>
          <ListTable
            columns={OPERATION_COLUMNS}
            variant="ops"
            describedBy={keysId}
            onKeyDown={rows.onKeyDown}
          >
            {list.map((op) => {
              const open = op.opId === selected;
              const toggle = () => onSelect(open ? undefined : op.opId);
              return (
                <tr
                  key={op.opId}
                  className={`op-row select-row${open ? ' is-open' : ''}`}
                  data-testid={`operation-row-${op.opId}`}
                  data-state={op.state}
                  data-label={op.label?.kind ?? 'none'}
                  // The open one is the current row (aria-expanded is not for a table's rows).
                  aria-current={open ? 'true' : undefined}
                  onClick={toggle}
                  {...rows.rowProps(op.opId)}
                  onKeyDown={(e) => {
                    if (e.key !== 'Enter' && e.key !== ' ') return;
                    e.preventDefault();
                    toggle();
                  }}
                >
                  <td>{formatWhen(op.startedAt, today)}</td>
                  <td>
                    {domainOf(op) ?? (
                      <span className="mono small" title={op.uuid}>
                        {shortUuid(op.uuid)}…
                      </span>
                    )}
                  </td>
                  <td className="mono snapshot-cell">{op.snapshot}</td>
                  <td>
                    {op.label ? (
                      <span
                        className={`badge badge-${labelTone(op.label)}`}
                        title={labelText(op.label)}
                      >
                        {labelShort(op.label)}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="num">
                    {op.windowMs !== null ? (
                      formatWindow(op.windowMs)
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <span className={`badge badge-${STATE_TONE[op.state]}`}>
                      {STATE_WORD[op.state]}
                    </span>
                  </td>
                  <td className="small muted">
                    {op.user}@{op.workstation}
                  </td>
                </tr>
              );
            })}
          </ListTable>
          <p className="ops-keys-hint muted small" id={keysId}>
            Keyboard: <kbd>↑</kbd> <kbd>↓</kbd> move between operations, <kbd>Enter</kbd> shows the
            focused one’s result.
          </p>
        </>
      )}
      {selected && (
        <div className="op-detail" data-testid="operation-detail">
          <div className="section-head op-detail-head">
            <h4>
              {selectedListed
                ? `${domainOf(selectedListed) ?? shortUuid(selectedListed.uuid)} · ${selectedListed.snapshot}`
                : 'Operation'}
            </h4>
            <button
              type="button"
              className="small"
              data-testid="operation-detail-close"
              onClick={() => onSelect(undefined)}
            >
              Close
            </button>
          </div>
          <OperationView
            key={selected}
            hostId={host.id}
            opId={selected}
            listed={selectedListed}
            domainName={selectedListed ? domainOf(selectedListed) : undefined}
          />
        </div>
      )}
    </section>
  );
}
