import type { ReactNode } from 'react';

/**
 * One option of a radio group (its `name`), its label after it and the whole line clickable;
 * `onChange` runs when it is picked.
 */
export function Radio({
  name,
  checked,
  onChange,
  testId,
  disabled,
  children,
}: {
  name: string;
  checked: boolean;
  onChange: () => void;
  testId: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <label>
      <input
        type="radio"
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={onChange}
        data-testid={testId}
      />{' '}
      {children}
    </label>
  );
}
