import { useState, type KeyboardEvent } from 'react';

const MOVES = ['ArrowDown', 'ArrowUp', 'Home', 'End'];

/** What a row takes from its list's roving focus: whether Tab lands on it, and its onFocus. */
export interface RowFocus {
  tabIndex: 0 | -1;
  onFocus: () => void;
}

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
    rowProps: (id: string): RowFocus => ({
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

/**
 * A focused row's own shortcut keys (its table's hint lists them): a plain press, without a
 * modifier or auto-repeat, runs the action named by the key in lower case (`enter`, `delete`,
 * `r`); a key without an action, or whose action is off (`false`), goes on to the browser.
 * `ownOnly`: only when the row itself has the focus, not a button inside it.
 */
export function rowKeys(
  actions: Record<string, (() => void) | false>,
  { ownOnly = false }: { ownOnly?: boolean } = {},
) {
  return (e: KeyboardEvent<HTMLElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (ownOnly && e.target !== e.currentTarget) return;
    const action = actions[e.key.toLowerCase()];
    if (!action) return;
    action();
    e.preventDefault();
  };
}
