import type { ReactNode } from 'react';
import './ui.css';

/**
 * A checkbox with its label after it, the whole line clickable; `onChange` gets the new state.
 * `describedBy` names what explains it (a hint, or why it is off).
 */
export function Checkbox({
  checked,
  onChange,
  testId,
  id,
  disabled,
  describedBy,
  children,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId: string;
  id?: string;
  disabled?: boolean;
  describedBy?: string | undefined;
  children: ReactNode;
}) {
  return (
    <label className="checkbox" htmlFor={id}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={describedBy}
        data-testid={testId}
        onChange={(e) => onChange(e.target.checked)}
      />
      {children}
    </label>
  );
}
