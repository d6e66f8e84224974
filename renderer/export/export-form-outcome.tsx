import type { AppErrorShape } from '../../shared/errors';
import { ErrorBox } from '../ui/error-box';

/** What an export form's action came to: the sentence saying what was done, or the error. */
export function ExportFormOutcome({
  done,
  error,
  testId,
}: {
  done: string | undefined;
  error: AppErrorShape | undefined;
  /** "x" names the sentence x-done and the error x-error. */
  testId: string;
}) {
  return (
    <>
      {done && (
        <p className="notice-ok" role="status" data-testid={`${testId}-done`}>
          {done}
        </p>
      )}
      {error && <ErrorBox error={error} testId={`${testId}-error`} />}
    </>
  );
}
