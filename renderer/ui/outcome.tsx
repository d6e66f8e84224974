import type { AppErrorShape } from '../../shared/errors';
import { ErrorBox } from './error-box';

/**
 * What an action came to, where it was started: the sentence saying what was done (read out as
 * a status), or the error with its remedy. Neither while nothing has come back.
 */
export function Outcome({
  done,
  error,
  doneTestId,
  errorTestId,
}: {
  done: string | undefined;
  error: AppErrorShape | undefined;
  doneTestId: string;
  errorTestId: string;
}) {
  return (
    <>
      {error && <ErrorBox error={error} testId={errorTestId} />}
      {done && (
        <p className="notice-ok" role="status" data-testid={doneTestId}>
          {done}
        </p>
      )}
    </>
  );
}
