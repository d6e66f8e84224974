import type { HistoryEntry } from '../../shared/history';
import type { OperationSummary, SnapshotLabel } from '../../shared/snapshot';
import { labelShort, labelText, labelTone } from '../operations/operation-format';

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "196 KiB", "1.4 MiB", "20.0 GiB": binary units, as qemu-img and virsh print them. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return 'unknown';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} ${value === 1 ? 'byte' : 'bytes'}`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ${UNITS[unit]}`;
}

const fullFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  timeZoneName: 'short',
});

/** "3 Jan 2026, 20:31:07 CET": the whole local time, for a title or a confirmation. */
export function formatFullTime(iso: string | null | undefined): string {
  return iso ? fullFormat.format(new Date(iso)) : 'an unknown time';
}

/** The label kinds a snapshot row can carry, plus `none` for snapshots made outside Quiesce. */
export type EntryLabelKind = SnapshotLabel['kind'] | 'none';

export function entryLabelKind(entry: Pick<HistoryEntry, 'label'>): EntryLabelKind {
  return entry.label?.kind ?? 'none';
}

/** The badge a snapshot or an operation carries (docs/ARCHITECTURE.md, "Explicit quiesce policy"), with its full text for a title. */
export function labelBadge(label: SnapshotLabel): {
  text: string;
  title: string;
  tone: 'ok' | 'warn' | 'off' | 'info';
} {
  // The shared helpers know the snapshot labels; a doctor's test freeze is its own thing.
  if (label.kind === 'test-freeze') {
    const fs = `${label.filesystems} filesystem${label.filesystems === 1 ? '' : 's'}`;
    return { text: 'Test freeze', title: `Test freeze · ${fs}, nothing cut`, tone: 'info' };
  }
  return { text: labelShort(label), title: labelText(label), tone: labelTone(label) };
}

/** The last path element: overlay files are long paths in one folder. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

export function dirName(path: string): string {
  const at = path.lastIndexOf('/');
  return at > 0 ? path.slice(0, at) : '';
}

/** How an operation shows in a list: "20:31:07 · nightly · Failed". */
export function operationTitle(op: Pick<OperationSummary, 'operation' | 'snapshot'>): string {
  return op.operation === 'test-freeze' ? 'Test freeze (doctor)' : op.snapshot || 'Snapshot';
}
