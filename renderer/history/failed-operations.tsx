import { useState } from 'react';
import type { OperationSummary } from '../../shared/snapshot';
import { formatWhen, STATE_TONE, STATE_WORD } from '../operations/operation-format';
import { operationTitle } from './history-format';

/** The phase the runner failed at, from the journal, for a short line. */
const failedPhase = (op: OperationSummary) =>
  op.phases.findLast((p) => p.status === 'failed')?.phase;

/** How many failures the strip shows before "Show all". */
const FIRST = 3;

/**
 * The domain's operations that did not succeed (failed, or lost with their runner), newest first,
 * each with what went wrong; "Phases" shows it in the phase chart. The newest three first, the
 * rest on demand: a lab or a bad week can leave dozens.
 */
export function FailedOperations({
  operations,
  shown,
  onShow,
}: {
  operations: readonly OperationSummary[];
  shown: string | undefined;
  onShow: (opId: string) => void;
}) {
  const [today] = useState(() => new Date());
  const [all, setAll] = useState(false);
  const failed = operations.filter((o) => o.state === 'failed' || o.state === 'lost');
  if (failed.length === 0) return null;
  const listed = all ? failed : failed.slice(0, FIRST);
  return (
    <section
      className="box error-box failed-strip"
      data-testid="history-failed"
      aria-label="Failed operations"
    >
      <h3 className="failed-title inline-row">
        Failed operations <span className="count">{failed.length}</span>
      </h3>
      <ul className="failed-list">
        {listed.map((op) => {
          const phase = failedPhase(op);
          return (
            <li
              key={op.opId}
              className="failed-item"
              data-testid={`history-failed-${op.opId}`}
              data-state={op.state}
            >
              <span className={`badge badge-${STATE_TONE[op.state]}`}>{STATE_WORD[op.state]}</span>
              <span className="small">{formatWhen(op.startedAt, today)}</span>
              <span className="mono small">{operationTitle(op)}</span>
              {phase && <span className="muted small">at “{phase}”</span>}
              <span className="failed-message" title={op.error?.cause}>
                {op.error?.message ?? 'No error was recorded.'}
              </span>
              <button
                type="button"
                className="small"
                aria-pressed={shown === op.opId}
                onClick={() => onShow(op.opId)}
              >
                Phases<span className="visually-hidden"> of {operationTitle(op)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {failed.length > FIRST && (
        <button
          type="button"
          className="disclosure small failed-more"
          aria-expanded={all}
          data-testid="history-failed-more"
          onClick={() => setAll(!all)}
        >
          {all ? `Show the newest ${FIRST}` : `Show all ${failed.length}`}
        </button>
      )}
    </section>
  );
}
