import { useState, type KeyboardEvent } from 'react';
import type { InventoryDomain } from '../../shared/readiness';
import type { Column } from '../ui/table-parts';
import { DomainHistoryDialog } from '../history/domain-history';
import { EvidenceList } from './evidence-list';
import { ReadinessBadge } from './readiness-badge';
import { StateBadge } from './state-badge';

/** Columns of the domain table; the evidence row spans them all. */
export const DOMAIN_COLUMNS: readonly Column[] = [
  { text: 'Name' },
  { text: 'State' },
  { text: 'Readiness' },
  { text: 'Actions', hidden: true },
];

/**
 * One domain: name and UUID, libvirt's state, its readiness with the why, and its actions. The
 * evidence opens in a row of its own below. `s` on a focused row opens the consistent snapshot
 * dialog, `d` the doctor, `e` the evidence (the table's hint says so).
 */
export function DomainRow({
  domain,
  expanded,
  focusable,
  onToggleEvidence,
  onDoctor,
  onSnapshot,
  onFocusRow,
}: {
  domain: InventoryDomain;
  expanded: boolean;
  /** The one row Tab lands on (roving tabindex); arrows move between rows. */
  focusable: boolean;
  onToggleEvidence: () => void;
  onDoctor: () => void;
  onSnapshot: () => void;
  onFocusRow: () => void;
}) {
  const { name, readiness } = domain;
  const evidenceId = `evidence-${domain.uuid}`;
  const [historyOpen, setHistoryOpen] = useState(false);

  function onKeyDown(e: KeyboardEvent<HTMLTableRowElement>) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const key = e.key.toLowerCase();
    if (key === 's') onSnapshot();
    else if (key === 'd') onDoctor();
    else if (key === 'e') onToggleEvidence();
    else if (key === 'h') setHistoryOpen(true);
    else return;
    e.preventDefault();
  }

  return (
    <>
      <tr
        className="domain-row"
        data-testid={`domain-row-${name}`}
        data-level={readiness.level}
        tabIndex={focusable ? 0 : -1}
        aria-keyshortcuts="s d e h"
        onKeyDown={onKeyDown}
        onFocus={onFocusRow}
      >
        <td>
          <span className="domain-name">{name}</span>
          <span className="mono small uuid">{domain.uuid}</span>
        </td>
        <td>
          <StateBadge state={domain.state} testId={`domain-state-${name}`} />
        </td>
        <td className="readiness-cell">
          <div className="readiness-line">
            <ReadinessBadge readiness={readiness} testId={`readiness-${name}`} />
            <button
              type="button"
              className="disclosure small"
              aria-expanded={expanded}
              aria-controls={expanded ? evidenceId : undefined}
              data-testid={`evidence-toggle-${name}`}
              onClick={onToggleEvidence}
            >
              Evidence<span className="visually-hidden"> for {name}</span>
            </button>
          </div>
          <p className="readiness-detail">{readiness.detail}</p>
        </td>
        <td className="row-actions">
          <button
            type="button"
            className="small"
            data-testid={`snapshot-open-${name}`}
            onClick={onSnapshot}
          >
            Consistent snapshot<span className="visually-hidden"> of {name}</span>
          </button>
          <button
            type="button"
            className="small"
            data-testid={`doctor-open-${name}`}
            onClick={onDoctor}
          >
            Doctor<span className="visually-hidden"> for {name}</span>
          </button>
          <button
            type="button"
            className="small"
            data-testid={`history-open-${name}`}
            onClick={() => setHistoryOpen(true)}
          >
            History<span className="visually-hidden"> of {name}</span>
          </button>
          {historyOpen && (
            <DomainHistoryDialog domain={domain} onClose={() => setHistoryOpen(false)} />
          )}
        </td>
      </tr>
      {expanded && (
        <tr className="evidence-row">
          <td colSpan={DOMAIN_COLUMNS.length}>
            <EvidenceList readiness={readiness} id={evidenceId} testId={`evidence-${name}`} />
          </td>
        </tr>
      )}
    </>
  );
}
