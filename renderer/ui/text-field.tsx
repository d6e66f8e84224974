import type { HTMLAttributes, ReactNode, Ref } from 'react';

/**
 * A labelled input with its hint and its error right below it; the error is tied to the input
 * (aria-describedby, aria-invalid) so a screen reader reads it when the field gets focus.
 */
export function TextField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  inputRef,
  type = 'text',
  inputMode,
  placeholder,
  mono = false,
  autoComplete = 'off',
  className,
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  inputRef?: Ref<HTMLInputElement>;
  type?: 'text' | 'password';
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  placeholder?: string;
  mono?: boolean;
  autoComplete?: string;
  className?: string;
}) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ');
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        type={type}
        inputMode={inputMode}
        className={mono ? 'mono' : undefined}
        value={value}
        placeholder={placeholder}
        autoComplete={autoComplete}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
