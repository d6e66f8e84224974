import type { Domain, DomainState } from '../../shared/domains';
import type { Readiness, ReadinessLevel } from '../../shared/readiness';

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A domain as the table lists it; readiness is there once the inventory has judged it. */
type Listed = Domain & { readiness?: Pick<Readiness, 'level' | 'label'> };

/** Sorted by name the way people count (web-2 before web-10), so a long list is scannable. */
export function sortDomains<T extends Domain>(domains: readonly T[]): T[] {
  return [...domains].sort((a, b) => byName.compare(a.name, b.name));
}

/**
 * Keeps the domains whose name, UUID, state or readiness contains every word of the filter, in
 * any case: "db paused" finds the paused database guests, "not responding" the silent agents.
 */
export function filterDomains<T extends Listed>(domains: readonly T[], filter: string): T[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...domains];
  return domains.filter((d) => {
    const readiness = d.readiness ? `${d.readiness.label} ${d.readiness.level}` : '';
    const text = `${d.name} ${d.uuid} ${d.state} ${readiness}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** "171 running · 27 shut off · 2 paused": the most common state first. */
export function stateSummary(domains: readonly Domain[]): string {
  const counts = new Map<DomainState, number>();
  for (const d of domains) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${n} ${state}`)
    .join(' · ');
}

/** The columns a domain list sorts by; readiness runs from the most urgent rung to ready. */
export type DomainSortKey = 'name' | 'state' | 'readiness';
export interface DomainSort {
  key: DomainSortKey;
  descending: boolean;
}

/** Frozen first (an emergency), then the rungs an admin can fix, ready and the idle ones last. */
const URGENCY: readonly ReadinessLevel[] = [
  'frozen',
  'agent-not-responding',
  'freeze-unsupported',
  'agent-not-connected',
  'no-channel',
  'ready',
  'paused',
  'not-running',
];

/**
 * Sorted by the chosen column, ties by name (so a sort is stable however the host listed them);
 * descending reverses the column's order, never the tie-break.
 */
export function sortDomainsBy<T extends Listed>(domains: readonly T[], sort: DomainSort): T[] {
  const sign = sort.descending ? -1 : 1;
  const rank = (d: T) => (d.readiness ? URGENCY.indexOf(d.readiness.level) : URGENCY.length);
  const column = (a: T, b: T) =>
    sort.key === 'state'
      ? byName.compare(a.state, b.state)
      : sort.key === 'readiness'
        ? rank(a) - rank(b)
        : byName.compare(a.name, b.name);
  return [...domains].sort((a, b) => sign * column(a, b) || byName.compare(a.name, b.name));
}

/** Keeps the domains on the chosen rungs; no rung chosen keeps them all. */
export function filterByLevels<T extends Listed>(
  domains: readonly T[],
  levels: ReadonlySet<ReadinessLevel>,
): T[] {
  if (levels.size === 0) return [...domains];
  return domains.filter((d) => d.readiness !== undefined && levels.has(d.readiness.level));
}
