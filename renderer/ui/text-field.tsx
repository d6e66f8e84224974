import type { HTMLAttributes, ReactNode, Ref } from 'react';

/**
 * A labelled text input with its hint and its error right below it (see Field); `unit` follows
 * the input on its line ("seconds").
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
  maxLength,
  unit,
  className,
  testId,
  errorTestId,
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
  maxLength?: number;
  unit?: string;
  className?: string;
  testId?: string;
  errorTestId?: string;
}) {
  return (
    <Field
      id={id}
      label={label}
      hint={hint}
      error={error}
      errorTestId={errorTestId}
      className={className}
    >
      {(control) => {
        const input = (
          <input
            {...control}
            ref={inputRef}
            type={type}
            inputMode={inputMode}
            className={mono ? 'mono' : undefined}
            value={value}
            placeholder={placeholder}
            autoComplete={autoComplete}
            spellCheck={false}
            maxLength={maxLength}
            data-testid={testId}
            onChange={(e) => onChange(e.target.value)}
          />
        );
        return unit ? (
          <div className="input-with-unit inline-row">
            {input}
            <span className="unit">{unit}</span>
          </div>
        ) : (
          input
        );
      }}
    </Field>
  );
}

/** What a field's control takes from its Field: its id, and the error and hint that describe it. */
export interface FieldControl {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * A label, a control (an input, a textarea, an input with its unit), the hint and the error
 * below it. The error is tied to the control (aria-describedby, aria-invalid) so a screen reader
 * reads it when the control gets focus; `children` draws the control from what it must carry.
 */
export function Field({
  id,
  label,
  hint,
  error,
  errorTestId,
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  errorTestId?: string;
  className?: string | undefined;
  children: (control: FieldControl) => ReactNode;
}) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy || undefined,
      })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId} data-testid={errorTestId}>
          {error}
        </p>
      )}
    </div>
  );
}
