import type { HistoryEntry } from '../../shared/history';
import { formatWindow } from '../operations/operation-format';
import { entryLabelKind, type EntryLabelKind } from './history-format';
import { medianOf as sharedMedian } from '../../shared/window-median';

/**
 * What each section of a domain's history page takes (branches, exports): the host, the domain's
 * UUID, which every call names, and its name, which the text says.
 */
export interface HistorySectionProps {
  hostId: string;
  uuid: string;
  domain: string;
}

export type LabelFilter = 'all' | EntryLabelKind;
export type SortOrder = 'newest' | 'oldest' | 'window';

/** The label filter's choices, in the order an admin looks for them. */
export const LABEL_FILTERS: { value: LabelFilter; text: string }[] = [
  { value: 'all', text: 'All labels' },
  { value: 'quiesced', text: 'Quiesced' },
  { value: 'crash-consistent', text: 'Crash-consistent' },
  { value: 'paused', text: 'Paused' },
  { value: 'offline', text: 'Offline' },
  { value: 'none', text: 'Not made by Quiesce' },
];

export const SORT_ORDERS: { value: SortOrder; text: string }[] = [
  { value: 'newest', text: 'Newest first' },
  { value: 'oldest', text: 'Oldest first' },
  { value: 'window', text: 'Longest window first' },
];

/** A snapshot with its place in libvirt's list (oldest first): the tie-breaker for equal times. */
export interface Listed {
  entry: HistoryEntry;
  order: number;
}

const timeOf = (l: Listed) => (l.entry.createdAt ? Date.parse(l.entry.createdAt) : l.order);

/**
 * The rows to show: the chosen label, then every word of the search in the name or the
 * description (any case), in the chosen order. Snapshots with no measured window sort last by
 * window, newest first among themselves.
 */
export function visibleSnapshots(
  entries: readonly HistoryEntry[],
  { label, search, sort }: { label: LabelFilter; search: string; sort: SortOrder },
): HistoryEntry[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const listed = entries
    .map((entry, order) => ({ entry, order }))
    .filter(({ entry }) => label === 'all' || entryLabelKind(entry) === label)
    .filter(({ entry }) => {
      const text = `${entry.name} ${entry.description}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
  const newest = (a: Listed, b: Listed) => timeOf(b) - timeOf(a) || b.order - a.order;
  listed.sort(
    sort === 'oldest'
      ? (a, b) => -newest(a, b)
      : sort === 'window'
        ? (a, b) => (b.entry.windowMs ?? -1) - (a.entry.windowMs ?? -1) || newest(a, b)
        : newest,
  );
  return listed.map((l) => l.entry);
}

/** How many snapshots carry each label kind (for the filter's choices). */
export function labelCounts(entries: readonly HistoryEntry[]): Map<LabelFilter, number> {
  const counts = new Map<LabelFilter, number>([['all', entries.length]]);
  for (const e of entries) {
    const kind = entryLabelKind(e);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** The middle value (the mean of the two middle ones for an even count); 0 for none. */
export function medianOf(values: readonly number[]): number {
  return values.length === 0 ? 0 : sharedMedian(values);
}

/**
 * The window chart in words: how many snapshots have a measured window, its range and median,
 * the longest, and why the others have none.
 */
export function windowSummary(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No snapshots: nothing to chart.';
  const timed = entries.filter((e) => e.windowMs !== null);
  const outside = entries.filter((e) => !e.madeByQuiesce).length;
  const unfrozen = entries.length - timed.length - outside;
  const parts: string[] = [];
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  if (timed.length === 0) {
    parts.push(`None of the ${n(entries.length, 'snapshot')} has a measured blocked-write window.`);
  } else {
    const ms = timed.map((e) => e.windowMs!).sort((a, b) => a - b);
    const median = medianOf(ms);
    const longest = timed.reduce((a, b) => (b.windowMs! > a.windowMs! ? b : a));
    parts.push(
      timed.length === 1
        ? `1 snapshot has a measured blocked-write window: ${formatWindow(ms[0]!)} (${longest.name}).`
        : `${timed.length} snapshots have a measured blocked-write window, from ${formatWindow(ms[0]!)} to ${formatWindow(ms.at(-1)!)} (median ${formatWindow(median)}); the longest is ${longest.name}.`,
    );
  }
  if (unfrozen > 0)
    parts.push(`${n(unfrozen, 'snapshot')} froze nothing (paused, offline or crash-consistent).`);
  if (outside > 0) {
    parts.push(
      `${n(outside, 'snapshot')} ${outside === 1 ? 'was' : 'were'} not made by Quiesce: no window was measured.`,
    );
  }
  return parts.join(' ');
}
