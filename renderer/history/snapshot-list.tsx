import { useDeferredValue, useId, useMemo, useState, type Ref } from 'react';
import type { HistoryEntry } from '../../shared/history';
import {
  LABEL_FILTERS,
  SORT_ORDERS,
  labelCounts,
  visibleSnapshots,
  type LabelFilter,
  type SortOrder,
} from './history-view';
import { useRovingFocus } from '../ui/use-roving-focus';
import { ListTable, SearchField, type Column } from '../ui/table-parts';
import { SnapshotRow } from './snapshot-row';

const HISTORY_COLUMNS: readonly Column[] = [
  { text: 'Time' },
  { text: 'Snapshot' },
  { text: 'Label' },
  { text: 'Window', num: true },
  { text: 'On disk', num: true },
  { text: 'Disks → overlay' },
  { text: 'By' },
  { text: 'Actions', hidden: true },
];

/**
 * The domain's snapshots with a label filter, a sort and a search over names and descriptions.
 * One row is the tab stop; the arrows move between rows.
 */
export function SnapshotList({
  snapshots,
  selected,
  busy,
  revertManual,
  searchRef,
  onSelect,
  onDelete,
  onRevert,
}: {
  snapshots: readonly HistoryEntry[];
  selected: string | undefined;
  busy: boolean;
  revertManual: boolean;
  searchRef: Ref<HTMLInputElement>;
  onSelect: (entry: HistoryEntry) => void;
  onDelete: (entry: HistoryEntry) => void;
  onRevert: (entry: HistoryEntry) => void;
}) {
  const [label, setLabel] = useState<LabelFilter>('all');
  const [sort, setSort] = useState<SortOrder>('newest');
  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search);
  const [today] = useState(() => new Date());
  const uid = useId();
  const keysId = `${uid}-keys`;
  const counts = useMemo(() => labelCounts(snapshots), [snapshots]);
  const shown = useMemo(
    () => visibleSnapshots(snapshots, { label, search: deferredSearch, sort }),
    [snapshots, label, deferredSearch, sort],
  );
  const rows = useRovingFocus(
    useMemo(() => shown.map((s) => s.name), [shown]),
    'tr.history-row',
  );

  return (
    <div className="history-list">
      <div className="table-tools history-tools inline-row gap-4 wrap">
        <ToolSelect
          id={`${uid}-label`}
          label="Label"
          value={label}
          options={LABEL_FILTERS.map((f) => ({
            ...f,
            text: `${f.text} (${counts.get(f.value) ?? 0})`,
          }))}
          onChange={setLabel}
          testId="history-filter-label"
        />
        <ToolSelect
          id={`${uid}-sort`}
          label="Sort"
          value={sort}
          options={SORT_ORDERS}
          onChange={setSort}
          testId="history-sort"
        />
        <div className="history-tool history-tool-grow">
          <SearchField
            id={`${uid}-search`}
            label="Search names and descriptions"
            shortcut="/"
            value={search}
            onChange={setSearch}
            testId="history-search"
            inputRef={searchRef}
          />
        </div>
        <span className="muted small history-shown" data-testid="history-count" role="status">
          {shown.length === snapshots.length
            ? `${snapshots.length} snapshot${snapshots.length === 1 ? '' : 's'}`
            : `${shown.length} of ${snapshots.length} snapshots`}
        </span>
      </div>
      <ListTable
        columns={HISTORY_COLUMNS}
        variant="history"
        describedBy={keysId}
        onKeyDown={rows.onKeyDown}
      >
        {shown.map((entry) => (
          <SnapshotRow
            key={entry.name}
            entry={entry}
            today={today}
            selected={entry.name === selected}
            focus={rows.rowProps(entry.name)}
            busy={busy}
            revertManual={revertManual}
            onSelect={() => onSelect(entry)}
            onDelete={() => onDelete(entry)}
            onRevert={() => onRevert(entry)}
          />
        ))}
        {shown.length === 0 && (
          <tr>
            <td
              colSpan={HISTORY_COLUMNS.length}
              className="muted no-match"
              data-testid="history-no-match"
            >
              No snapshot matches the label and search chosen.
            </td>
          </tr>
        )}
      </ListTable>
      <p className="keys-hint muted small" id={keysId}>
        Keyboard: <kbd>↑</kbd> <kbd>↓</kbd> move between snapshots, <kbd>Enter</kbd> shows the
        focused one in the charts, <kbd>Delete</kbd> deletes it, <kbd>r</kbd> reverts to it,{' '}
        <kbd>/</kbd> searches.
      </p>
    </div>
  );
}

/** One of the list's tools: a labelled choice (the label filter, the sort). */
function ToolSelect<T extends string>({
  id,
  label,
  value,
  options,
  onChange,
  testId,
}: {
  id: string;
  label: string;
  value: T;
  options: readonly { value: T; text: string }[];
  onChange: (value: T) => void;
  testId: string;
}) {
  return (
    <div className="history-tool">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value as T)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </div>
  );
}
