import { useEffect, useState } from 'react';

/** What the admin chose: follow the system (the default), or always light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** Kept in the page's own storage: a look, not a setting any host or run depends on. */
const STORAGE_KEY = 'quiesce.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

/** The theme drawn for a choice, given whether the system prefers dark. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** The stored choice; anything unknown (or no storage) is "system". */
export function readThemeChoice(storage: Pick<Storage, 'getItem'> | undefined): ThemeChoice {
  const stored = storage?.getItem(STORAGE_KEY);
  return THEME_CHOICES.find((c) => c === stored) ?? 'system';
}

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage off: the choice lasts until the page closes
  }
}

/** Sets data-theme on <html> (styles.css draws from it); called before the first render too. */
export function applyTheme(choice: ThemeChoice): void {
  const dark = window.matchMedia?.(DARK_QUERY).matches ?? false;
  document.documentElement.dataset.theme = resolveTheme(choice, dark);
}

/** The theme choice and its setter; while it is "system", a change of the system's is followed. */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(() => readThemeChoice(storage()));
  useEffect(() => {
    applyTheme(choice);
    if (choice !== 'system' || !window.matchMedia) return;
    const query = window.matchMedia(DARK_QUERY);
    const follow = () => applyTheme('system');
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, [choice]);
  const choose = (next: ThemeChoice) => {
    storage()?.setItem(STORAGE_KEY, next);
    setChoice(next);
  };
  return [choice, choose];
}
