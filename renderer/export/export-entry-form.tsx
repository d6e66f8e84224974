import type { ReactNode } from 'react';
import type { ExportEntry } from '../../shared/export';
import { errorShape } from '../ui/error-shape';
import { Outcome } from '../ui/outcome';

/** What each form under an export's row takes: the host, the export, and how to close it. */
export interface ExportEntryFormProps {
  hostId: string;
  entry: ExportEntry;
  onDone: () => void;
}

/** Which export a call on it names (export.copy, export.restore). */
export interface ExportAddress {
  hostId: string;
  uuid: string;
  dest: string;
  exportId: string;
}

/**
 * The frame of a form under an export's row ("Copy…", "Restore…"): what it is about (`intro`),
 * its fields on one line (`children`), the submit button (off while the call runs or while
 * `ready` is false) and Close, then what the call came to. `action` names the form and its
 * outcome for the tests (export-x-form-<exportId>, export-x-done, export-x-error).
 */
export function ExportEntryForm({
  action,
  hostId,
  entry,
  onDone,
  intro,
  call,
  ready,
  onSubmit,
  submitText,
  busyText,
  submitTestId,
  done,
  children,
}: ExportEntryFormProps & {
  action: 'copy' | 'restore';
  intro?: ReactNode;
  /** The form's mutation (useCallMutation). */
  call: { isPending: boolean; error: unknown };
  ready: boolean;
  /** Makes the call on the export at this address. */
  onSubmit: (at: ExportAddress) => void;
  submitText: string;
  busyText: string;
  submitTestId: string;
  /** The sentence saying what was done, once it is. */
  done: string | undefined;
  children: ReactNode;
}) {
  const busy = call.isPending;
  return (
    <form
      className={`stack export-${action}`}
      data-testid={`export-${action}-form-${entry.exportId}`}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ hostId, uuid: entry.uuid, dest: entry.dest, exportId: entry.exportId });
      }}
    >
      {intro}
      <p className="inline-row">
        {children}
        <button type="submit" disabled={busy || !ready} data-testid={submitTestId}>
          {busy ? busyText : submitText}
        </button>{' '}
        <button type="button" onClick={onDone}>
          Close
        </button>
      </p>
      <Outcome
        done={done}
        error={call.error ? errorShape(call.error) : undefined}
        doneTestId={`export-${action}-done`}
        errorTestId={`export-${action}-error`}
      />
    </form>
  );
}

/** A labelled text input on an export form's line (a folder, a name), monospaced as paths are. */
export function InlineTextField({
  label,
  value,
  onChange,
  testId,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  placeholder?: string;
}) {
  return (
    <>
      <label>
        {label}{' '}
        <input
          className="mono"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          data-testid={testId}
          placeholder={placeholder}
        />
      </label>{' '}
    </>
  );
}
