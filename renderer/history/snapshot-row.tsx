import type { HistoryEntry } from '../../shared/history';
import { formatWhen, formatWindow, noWindowText } from '../operations/operation-format';
import { RowButton } from '../ui/table-parts';
import { rowKeys, type RowFocus } from '../ui/use-roving-focus';
import {
  baseName,
  entryLabelKind,
  formatBytes,
  formatFullTime,
  labelBadge,
} from './history-format';

/**
 * One snapshot: when, what, its label (or that Quiesce did not make it), the blocked-write
 * window, its size on disk, the overlay each disk writes to since, who took it, and its actions.
 * On the focused row Enter selects it (the charts follow), Delete asks to delete it, `r` to
 * revert to it.
 */
export function SnapshotRow({
  entry,
  today,
  selected,
  focus,
  busy,
  revertManual,
  onSelect,
  onDelete,
  onRevert,
}: {
  entry: HistoryEntry;
  today: Date;
  selected: boolean;
  /** From the list's roving focus. */
  focus: RowFocus;
  /** Another action runs on this domain: no second one. */
  busy: boolean;
  /** This libvirt cannot revert: the button explains instead. */
  revertManual: boolean;
  onSelect: () => void;
  onDelete: () => void;
  onRevert: () => void;
}) {
  const { name } = entry;
  const kind = entryLabelKind(entry);

  const onKeyDown = rowKeys(
    {
      enter: onSelect,
      ' ': onSelect,
      delete: !busy && onDelete,
      backspace: !busy && onDelete,
      r: !busy && onRevert,
    },
    { ownOnly: true },
  );

  return (
    <tr
      className={`history-row select-row${selected ? ' is-selected' : ''}`}
      data-testid={`history-row-${name}`}
      data-quiesce={entry.madeByQuiesce ? 'yes' : 'no'}
      data-label={kind}
      {...focus}
      aria-current={selected ? 'true' : undefined}
      aria-keyshortcuts="Enter Delete r"
      onKeyDown={onKeyDown}
      onClick={onSelect}
    >
      <td className="history-time" title={formatFullTime(entry.createdAt)}>
        {formatWhen(entry.createdAt ?? undefined, today)}
      </td>
      <td className="history-name">
        <span className="mono">{name}</span>
        {entry.description && (
          <span className="history-description" title={entry.description}>
            {entry.description}
          </span>
        )}
      </td>
      <td className="history-label">
        {entry.label ? (
          <LabelBadge label={entry.label} />
        ) : entry.madeByQuiesce ? (
          <span className="muted">—</span>
        ) : (
          <span
            className="badge badge-off outside-badge"
            title="libvirt lists it, but no Quiesce journal on the host recorded it: it may not be consistent."
          >
            Not made by Quiesce
          </span>
        )}
      </td>
      <td className="num" data-window-ms={entry.windowMs ?? ''}>
        {entry.windowMs !== null ? (
          formatWindow(entry.windowMs)
        ) : (
          <span
            className="muted"
            title={
              entry.madeByQuiesce ? noWindowText(entry.label) : 'Not measured: not made by Quiesce.'
            }
          >
            —
          </span>
        )}
      </td>
      <td className="num">{formatBytes(entry.sizeBytes)}</td>
      <td className="history-disks">
        {entry.disks.map((d) => (
          <span key={d.target} className="history-disk" title={d.file ?? undefined}>
            <span className="mono">{d.target}</span>{' '}
            {d.file ? (
              <span className="mono small">→ {baseName(d.file)}</span>
            ) : (
              <span className="muted small">
                {d.snapshot === 'no' ? 'not included' : d.snapshot}
              </span>
            )}
          </span>
        ))}
      </td>
      <td className="small muted history-by">
        {entry.user ? `${entry.user}@${entry.workstation ?? '?'}` : '—'}
      </td>
      <td className="row-actions">
        <RowButton
          testId={`history-revert-${name}`}
          disabled={busy}
          title={
            revertManual
              ? 'libvirt before 9.9 cannot revert to an external snapshot itself: Quiesce’s own revert does it, asking first'
              : undefined
          }
          onClick={(e) => {
            e.stopPropagation(); // the row's own click selects it
            onRevert();
          }}
          forRow={` to ${name}`}
        >
          Revert…
        </RowButton>
        <RowButton
          testId={`history-delete-${name}`}
          disabled={busy}
          onClick={(e) => {
            e.stopPropagation();
            onDelete();
          }}
          forRow={` ${name}`}
        >
          Delete…
        </RowButton>
      </td>
    </tr>
  );
}

export function LabelBadge({ label }: { label: NonNullable<HistoryEntry['label']> }) {
  const badge = labelBadge(label);
  return (
    <span className={`badge badge-${badge.tone}`} title={badge.title} data-testid="history-label">
      {label.kind === 'crash-consistent' ? (
        <>
          {badge.text} <span className="label-reason">· {label.reason}</span>
        </>
      ) : (
        badge.text
      )}
    </span>
  );
}
