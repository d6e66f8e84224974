import type { AppErrorShape } from '../../shared/errors';
import { withCode } from './remedy';
import './ui.css';

/**
 * What happened, why (smaller), and what to do next. role="alert" so a screen reader announces
 * it the moment it appears, as a sighted admin would notice the red box.
 */
export function ErrorBox({
  error,
  testId = 'error-box',
}: {
  error: AppErrorShape;
  testId?: string;
}) {
  return (
    <div className="box error-box" role="alert" data-testid={testId} data-code={error.code}>
      <p className="error-message">{error.message}</p>
      {error.cause && <p className="error-cause">{error.cause}</p>}
      {error.remedy && (
        <p className="error-remedy">
          <span className="error-remedy-label">What to do: </span>
          {withCode(error.remedy)}
        </p>
      )}
    </div>
  );
}
