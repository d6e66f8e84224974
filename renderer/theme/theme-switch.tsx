import { useId } from 'react';
import { THEME_CHOICES, useTheme, type ThemeChoice } from './theme';

const WORDS: Record<ThemeChoice, string> = {
  system: 'As the system',
  light: 'Light',
  dark: 'Dark',
};

/** The header's theme switch: as the system (the default), light or dark. */
export function ThemeSwitch() {
  const [choice, choose] = useTheme();
  const id = useId();
  return (
    <span className="theme-switch">
      <label htmlFor={id} className="muted small">
        Theme
      </label>
      <select
        id={id}
        className="small"
        data-testid="theme-switch"
        value={choice}
        onChange={(e) => choose(e.target.value as ThemeChoice)}
      >
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {WORDS[c]}
          </option>
        ))}
      </select>
    </span>
  );
}
