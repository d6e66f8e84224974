import { useState } from 'react';
import type { InventoryDomain } from '../../shared/readiness';
import { RowButton, type Column } from '../ui/table-parts';
import { rowKeys, type RowFocus } from '../ui/use-roving-focus';
import { DomainHistoryDialog } from '../history/domain-history';
import { useMenuCommand } from '../menu/menu-commands';
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

/** A row's actions: the snapshot dialog, the doctor, the evidence below the row. */
export type DomainActions = Record<'snapshot' | 'doctor' | 'evidence', () => void>;

/**
 * One domain: name and UUID, libvirt's state, its readiness with the why, and its actions. The
 * evidence opens in a row of its own below. `s` on a focused row opens the consistent snapshot
 * dialog, `d` the doctor, `e` the evidence (the table's hint says so).
 */
export function DomainRow({
  domain,
  expanded,
  focus,
  act,
}: {
  domain: InventoryDomain;
  expanded: boolean;
  /** From the table's roving focus: arrows move between rows. */
  focus: RowFocus;
  /** What the row's buttons and keys do. */
  act: DomainActions;
}) {
  const { name, readiness } = domain;
  const evidenceId = `evidence-${domain.uuid}`;
  const [historyOpen, setHistoryOpen] = useState(false);

  // The selected row (the table's one Tab stop) answers the menu's domain actions.
  const selected = focus.tabIndex === 0;
  useMenuCommand('snapshot', selected ? act.snapshot : undefined);
  useMenuCommand('doctor', selected ? act.doctor : undefined);
  useMenuCommand('history', selected ? () => setHistoryOpen(true) : undefined);

  const onKeyDown = rowKeys({
    s: act.snapshot,
    d: act.doctor,
    e: act.evidence,
    h: () => setHistoryOpen(true),
  });

  return (
    <>
      <tr
        className="domain-row"
        data-testid={`domain-row-${name}`}
        data-level={readiness.level}
        {...focus}
        aria-keyshortcuts="s d e h"
        onKeyDown={onKeyDown}
      >
        <td>
          <span className="domain-name">{name}</span>
          <span className="mono small uuid">{domain.uuid}</span>
        </td>
        <td>
          <StateBadge state={domain.state} testId={`domain-state-${name}`} />
        </td>
        <td className="readiness-cell">
          <div className="readiness-line inline-row">
            <ReadinessBadge readiness={readiness} testId={`readiness-${name}`} />
            <button
              type="button"
              className="disclosure small"
              aria-expanded={expanded}
              aria-controls={expanded ? evidenceId : undefined}
              data-testid={`evidence-toggle-${name}`}
              onClick={act.evidence}
            >
              Evidence<span className="visually-hidden"> for {name}</span>
            </button>
          </div>
          <p className="readiness-detail">{readiness.detail}</p>
        </td>
        <td className="row-actions">
          <RowButton testId={`snapshot-open-${name}`} onClick={act.snapshot} forRow={` of ${name}`}>
            Consistent snapshot
          </RowButton>
          <RowButton testId={`doctor-open-${name}`} onClick={act.doctor} forRow={` for ${name}`}>
            Doctor
          </RowButton>
          <RowButton
            testId={`history-open-${name}`}
            onClick={() => setHistoryOpen(true)}
            forRow={` of ${name}`}
          >
            History
          </RowButton>
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
