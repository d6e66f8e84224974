import type { Domain, DomainState } from '../../shared/domains';
import type { Readiness } from '../../shared/readiness';

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
