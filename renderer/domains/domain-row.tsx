import type { InventoryDomain } from '../../shared/readiness';
import { RowButton } from '../ui/table-parts';
import { rowKeys, type RowFocus } from '../ui/use-roving-focus';
import { EvidenceList } from './evidence-list';
import { primaryAction } from './primary-action';
import { ReadinessBadge } from './readiness-badge';
import { StateBadge } from './state-badge';

/** How many cells a domain row has; its details row spans them all. */
export const DOMAIN_CELLS = 4;

/** A row's actions: the snapshot dialog, the doctor, the details below the row, the history. */
export type DomainActions = Record<'snapshot' | 'doctor' | 'details' | 'history', () => void>;

/**
 * One domain on one line: its name (which opens the details), libvirt's state, its readiness
 * badge (the why in its tooltip), and its actions with the snapshot that fits its readiness
 * first. The UUID, the why and the evidence open in a row of their own below. Keys on a focused row: `s` the
 * snapshot, `d` the doctor, `e` the details, `h` the history (the table's hint says so).
 */
export function DomainRow({
  domain,
  index,
  expanded,
  focus,
  act,
}: {
  domain: InventoryDomain;
  /** Its place in the filtered list, for screen readers (the list draws only what is seen). */
  index: number;
  expanded: boolean;
  /** From the table's roving focus: arrows move between rows. */
  focus: RowFocus;
  /** What the row's buttons and keys do. */
  act: DomainActions;
}) {
  const { name, readiness } = domain;
  const detailsId = `details-${domain.uuid}`;
  const main = primaryAction(readiness.level);
  const onKeyDown = rowKeys({
    s: !main.blocked && act.snapshot,
    d: act.doctor,
    e: act.details,
    h: act.history,
  });

  return (
    <>
      <tr
        className="domain-row"
        data-testid={`domain-row-${name}`}
        data-uuid={domain.uuid}
        data-level={readiness.level}
        aria-rowindex={index + 2}
        {...focus}
        aria-keyshortcuts="s d e h"
        onKeyDown={onKeyDown}
      >
        <td className="domain-name-cell">
          <button
            type="button"
            className="disclosure"
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            data-testid={`evidence-toggle-${name}`}
            onClick={act.details}
          >
            <span className="visually-hidden">Details of </span>
            <span className="domain-name">{name}</span>
          </button>
        </td>
        <td>
          <StateBadge state={domain.state} testId={`domain-state-${name}`} />
        </td>
        <td title={readiness.detail}>
          <ReadinessBadge readiness={readiness} testId={`readiness-${name}`} />
        </td>
        <td className="row-actions">
          <RowButton
            testId={`snapshot-open-${name}`}
            onClick={act.snapshot}
            forRow={` of ${name}`}
            disabled={main.blocked !== undefined}
            title={main.blocked}
            strong={main.strong}
          >
            {main.text}
          </RowButton>
          <RowButton testId={`doctor-open-${name}`} onClick={act.doctor} forRow={` for ${name}`}>
            Doctor
          </RowButton>
          <RowButton testId={`history-open-${name}`} onClick={act.history} forRow={` of ${name}`}>
            History
          </RowButton>
        </td>
      </tr>
      {expanded && (
        <tr className="evidence-row">
          <td colSpan={DOMAIN_CELLS}>
            <div className="domain-details stack" id={detailsId} data-testid={`evidence-${name}`}>
              <p className="small">
                UUID{' '}
                <span className="mono" data-testid={`domain-uuid-${name}`}>
                  {domain.uuid}
                </span>
              </p>
              <p className="readiness-detail">{readiness.detail}</p>
              {main.blocked && <p className="small">{main.blocked}</p>}
              <EvidenceList readiness={readiness} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
