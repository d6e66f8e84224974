import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useDeferredValue,
  useEffect,
  useId,
  useEffectEvent,
  useLayoutEffect,
  useMemo,
  useReducer,
  useState,
  type KeyboardEvent,
} from 'react';
import type { HostProfile } from '../../shared/hosts';
import type { InventoryDomain, ReadinessLevel } from '../../shared/readiness';
import { useMenuCommand } from '../menu/menu-commands';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { formatTime } from '../ui/format';
import { RefreshButton, SearchField } from '../ui/table-parts';
import { useRovingFocus } from '../ui/use-roving-focus';
import { DomainHead } from './domain-head';
import {
  filterByLevels,
  filterDomains,
  sortDomainsBy,
  stateSummary,
  type DomainSort,
  type DomainSortKey,
} from './domain-list-view';
import { DOMAIN_CELLS, DomainRow } from './domain-row';
import { primaryAction } from './primary-action';
import { ReadinessChips } from './readiness-chips';
import { useDomains } from './use-domains';
import './domains.css';

/** A collapsed row's height in px (domains.css draws it so); an open one is measured. */
const ROW_PX = 30;
/** Rows drawn beyond the visible ones, so arrows and fast scrolling never meet a blank. */
const OVERSCAN = 12;
const MOVES: Record<string, (at: number, last: number, page: number) => number> = {
  ArrowDown: (at, last) => Math.min(last, at + 1),
  ArrowUp: (at) => Math.max(0, at - 1),
  PageDown: (at, last, page) => Math.min(last, at + page),
  PageUp: (at, _last, page) => Math.max(0, at - page),
  Home: () => 0,
  End: (_at, last) => last,
};

/** What the list asks its host page to open for a domain. */
export type DomainOpeners = Record<
  'onDoctor' | 'onSnapshot' | 'onHistory',
  (domain: InventoryDomain) => void
>;

/**
 * The domains of a connected host, one line each: readiness chips with counts and a word filter
 * to narrow a long list, sortable columns, and each domain's snapshot, doctor and history. Only
 * the rows in sight are drawn (plus a margin), so a thousand domains scroll as smoothly as ten;
 * the page itself is the scroller, so the list uses the whole window.
 */
export function DomainTable({
  host,
  onDoctor,
  onSnapshot,
  onHistory,
}: { host: HostProfile } & DomainOpeners) {
  const domains = useDomains(host.id, true);
  const [filter, setFilter] = useState('');
  // Typing stays responsive with hundreds of rows: the table catches up a beat later.
  const deferredFilter = useDeferredValue(filter);
  const [levels, setLevels] = useState<ReadonlySet<ReadinessLevel>>(new Set());
  const [sort, setSort] = useState<DomainSort>({ key: 'name', descending: false });
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const titleId = useId();
  const filterId = useId();
  const keysId = useId();
  const all = useMemo(() => domains.data?.domains ?? [], [domains.data]);
  const allLevels = useMemo(() => all.map((d) => d.readiness.level), [all]);
  const shown = useMemo(
    () => sortDomainsBy(filterByLevels(filterDomains(all, deferredFilter), levels), sort),
    [all, deferredFilter, levels, sort],
  );
  const ids = useMemo(() => shown.map((d) => d.uuid), [shown]);
  const rows = useRovingFocus(ids, 'tr.domain-row');
  const { setTable, virtualizer, margin, focusRow, pageRows } = useVirtualList(
    shown.length,
    (i) => ids[i]!,
  );

  // The row Tab lands on answers the menu's domain actions, drawn or not.
  const selected = shown.find((d) => d.uuid === rows.tabStop);
  const canSnapshot = selected && !primaryAction(selected.readiness.level).blocked;
  useMenuCommand('snapshot', canSnapshot ? () => onSnapshot(selected) : undefined);
  useMenuCommand('doctor', selected ? () => onDoctor(selected) : undefined);
  useMenuCommand('history', selected ? () => onHistory(selected) : undefined);

  const toggle = (uuid: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(uuid)) next.add(uuid);
      return next;
    });
  const toggleLevel = (level: ReadinessLevel) =>
    setLevels((prev) => {
      const next = new Set(prev);
      if (!next.delete(level)) next.add(level);
      return next;
    });
  const sortBy = (key: DomainSortKey) =>
    setSort((prev) => ({ key, descending: prev.key === key ? !prev.descending : false }));

  /** Arrows, Page keys, Home and End move between rows, drawing the target row first. */
  function onKeyDown(e: KeyboardEvent<HTMLElement>) {
    const move = MOVES[e.key];
    if (!move || e.altKey || e.ctrlKey || e.metaKey) return;
    const row = e.target instanceof Element ? e.target.closest<HTMLElement>('tr.domain-row') : null;
    const at = row ? ids.indexOf(row.dataset.uuid ?? '') : -1;
    if (at < 0) return;
    e.preventDefault();
    const next = move(at, ids.length - 1, pageRows());
    rows.setFocused(ids[next]);
    focusRow(next);
  }

  const items = virtualizer.getVirtualItems();
  const before = items.length > 0 ? items[0]!.start - margin : 0;
  const after = items.length > 0 ? virtualizer.getTotalSize() - (items.at(-1)!.end - margin) : 0;

  return (
    <section className="domains stack" aria-labelledby={titleId} aria-busy={domains.isFetching}>
      <div className="section-head">
        <h3 id={titleId}>
          Domains
          {domains.data && (
            <span className="count" data-testid="domain-count">
              {shown.length === all.length ? all.length : `${shown.length} of ${all.length}`}
            </span>
          )}
        </h3>
        <div className="section-tools">
          {all.length > 0 && (
            <SearchField
              id={filterId}
              label="Filter domains"
              placeholder="Filter: name, UUID, state, readiness"
              value={filter}
              onChange={setFilter}
              testId="domain-filter"
            />
          )}
          {domains.data && (
            <span
              className={`last-updated muted small${domains.isFetching ? ' is-refreshing' : ''}`}
            >
              <span className="refresh-dot" aria-hidden="true" />
              <span data-testid="last-updated" data-fetched-at={domains.data.fetchedAt}>
                updated {formatTime(domains.data.fetchedAt)}
              </span>
            </span>
          )}
          <RefreshButton query={domains} testId="refresh-domains" busyText="Refreshing…" />
        </div>
      </div>
      {domains.isPending && !domains.isError && (
        <p className="placeholder" role="status">
          Loading domains and checking their agents…
        </p>
      )}
      {domains.isError && <ErrorBox error={errorShape(domains.error)} />}
      {domains.data && all.length === 0 && (
        <p className="placeholder" data-testid="domains-empty">
          No domains are defined under <span className="mono">{host.libvirtUri}</span> on this host.
        </p>
      )}
      {all.length > 0 && (
        <>
          <div className="table-tools inline-row gap-4">
            <ReadinessChips
              levels={allLevels}
              chosen={levels}
              onToggle={toggleLevel}
              onClear={() => setLevels(new Set())}
            />
            <span className="muted small" data-testid="state-summary">
              {stateSummary(all)}
            </span>
          </div>
          <div className="table-wrap domain-list-wrap">
            <table
              className="domain-table domain-list"
              ref={setTable}
              aria-describedby={keysId}
              aria-rowcount={shown.length + 1}
              onKeyDown={onKeyDown}
            >
              <DomainHead sort={sort} onSort={sortBy} />
              {before > 0 && <Spacer px={before} />}
              {items.map((item) => {
                const d = shown[item.index]!;
                return (
                  <tbody key={item.key} data-index={item.index} ref={virtualizer.measureElement}>
                    <DomainRow
                      domain={d}
                      index={item.index}
                      expanded={expanded.has(d.uuid)}
                      focus={rows.rowProps(d.uuid)}
                      act={{
                        snapshot: () => onSnapshot(d),
                        doctor: () => onDoctor(d),
                        details: () => toggle(d.uuid),
                        history: () => onHistory(d),
                      }}
                    />
                  </tbody>
                );
              })}
              {after > 0 && <Spacer px={after} />}
              {shown.length === 0 && (
                <tbody>
                  <tr>
                    <td colSpan={DOMAIN_CELLS} className="muted no-match">
                      No domain matches {filter ? `“${filter}”` : 'the chosen readiness'}.
                    </td>
                  </tr>
                </tbody>
              )}
            </table>
          </div>
          <p className="keys-hint muted small" id={keysId}>
            Keyboard: <kbd>↑</kbd> <kbd>↓</kbd> (<kbd>PgUp</kbd> <kbd>PgDn</kbd> <kbd>Home</kbd>{' '}
            <kbd>End</kbd>) move between domains; <kbd>s</kbd> takes a consistent snapshot of the
            focused domain (or what its readiness allows), <kbd>d</kbd> opens the focused domain’s
            agent doctor, <kbd>e</kbd> its details and evidence, <kbd>h</kbd> its history.
          </p>
        </>
      )}
    </section>
  );
}

/** The height of the rows not drawn, above or below the drawn ones. */
function Spacer({ px }: { px: number }) {
  return (
    <tbody aria-hidden="true">
      <tr className="list-spacer" style={{ height: px }}>
        <td colSpan={DOMAIN_CELLS} />
      </tr>
    </tbody>
  );
}

/**
 * The virtualizer of a table inside the page's scroller (`.main-pane`): where the table's rows
 * begin in it (they move when anything above grows, e.g. a frozen guest's banner), how many rows
 * a page holds, and a way to focus a row that may not be drawn yet.
 */
function useVirtualList(count: number, keyOf: (index: number) => string) {
  const [table, setTable] = useState<HTMLTableElement | null>(null);
  const scroller = table?.closest<HTMLElement>('.main-pane') ?? null;
  const [margin, setMargin] = useState(0);
  // Re-measured after every render and whenever the scroller's content changes size.
  const measure = useEffectEvent(() => {
    const head = table?.tHead;
    if (!scroller || !head) return;
    const top =
      head.getBoundingClientRect().bottom -
      scroller.getBoundingClientRect().top +
      scroller.scrollTop;
    setMargin((prev) => (Math.abs(prev - top) < 1 ? prev : top));
  });
  useLayoutEffect(() => measure());
  useEffect(() => {
    const content = scroller?.firstElementChild;
    if (!content) return;
    const observer = new ResizeObserver(() => measure());
    observer.observe(content);
    return () => observer.disconnect();
  }, [scroller]);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller,
    estimateSize: () => ROW_PX,
    overscan: OVERSCAN,
    scrollMargin: margin,
    getItemKey: keyOf,
    // The sticky head covers the top of the scroller: a row scrolled to must clear it.
    scrollPaddingStart: ROW_PX,
  });
  // The scroller is found after the first render: draw again once the virtualizer has seen its
  // size (it tells only of changes after a range was read, and none was read without it).
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  useLayoutEffect(() => {
    if (scroller) redraw();
  }, [scroller]);
  const focusRow = (index: number, tries = 6) => {
    const row = table?.querySelector<HTMLElement>(
      `tr.domain-row[data-uuid="${CSS.escape(keyOf(index))}"]`,
    );
    if (row) {
      row.focus();
      return;
    }
    virtualizer.scrollToIndex(index, { align: 'auto' });
    if (tries > 0) requestAnimationFrame(() => focusRow(index, tries - 1));
  };
  const pageRows = () =>
    Math.max(1, Math.floor(((scroller?.clientHeight ?? ROW_PX * 10) - ROW_PX * 2) / ROW_PX));
  return { setTable, virtualizer, margin, focusRow, pageRows };
}
