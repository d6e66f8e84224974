import { useState, type KeyboardEvent } from 'react';

const MOVES = ['ArrowDown', 'ArrowUp', 'Home', 'End'];

/**
 * Keyboard row navigation for a list or a table (a roving tabindex): one row is the list's only
 * Tab stop — the one last focused, else `preferred`, else the first — Up/Down move between the
 * rows and Home/End jump to the ends. `itemSelector` names the rows (`tr.op-row`); keys count
 * only from a row or something inside one, so an open panel below a row keeps its own arrows.
 */
export function useRovingFocus(ids: readonly string[], itemSelector: string, preferred?: string) {
  const [focused, setFocused] = useState<string>();
  const listed = (id: string | undefined) => id !== undefined && ids.includes(id);
  const tabStop = listed(focused) ? focused : listed(preferred) ? preferred : ids[0];
  return {
    /** The id of the row Tab lands on. */
    tabStop,
    /** Remembers a row as the tab stop: call it from the row's onFocus. */
    setFocused,
    /** tabIndex and onFocus for the row `id`, where the row is the element itself. */
    rowProps: (id: string) => ({
      tabIndex: id === tabStop ? 0 : -1,
      onFocus: () => setFocused(id),
    }),
    /** For the list's container (tbody, ul): moves the focus between the rows. */
    onKeyDown: (e: KeyboardEvent<HTMLElement>) => moveRowFocus(e, itemSelector),
  };
}

/** Moves the focus one row up or down, or to either end, among `itemSelector` in the list. */
export function moveRowFocus(e: KeyboardEvent<HTMLElement>, itemSelector: string): void {
  if (!MOVES.includes(e.key) || e.altKey || e.ctrlKey || e.metaKey) return;
  if (!(e.target instanceof Element) || !e.target.closest(itemSelector)) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLElement>(itemSelector)];
  if (rows.length === 0) return;
  const at = rows.findIndex((r) => r.contains(document.activeElement));
  const next =
    e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? rows.length - 1
        : Math.min(rows.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)));
  rows[next]?.focus();
  e.preventDefault();
}
