import type { Readiness } from '../../shared/readiness';
import { formatMs } from '../ui/format';
import { VerdictMark } from './verdict-mark';
import { Remedy } from '../ui/remedy';

/**
 * What a readiness badge rests on: every check as it ran on the host, with its command (to run
 * by hand), what it said and how long it took, then what to do about it.
 */
export function EvidenceList({
  readiness,
  id,
  testId,
}: {
  readiness: Readiness;
  id?: string;
  testId?: string;
}) {
  return (
    <div className="evidence stack" id={id} data-testid={testId}>
      <ol className="check-list">
        {readiness.evidence.map((e, i) => (
          <li key={i} className="check" data-ok={e.ok}>
            <div className="check-head inline-row">
              <VerdictMark verdict={e.ok ? 'pass' : 'fail'} word={e.ok ? 'OK' : 'Failed'} />
              <span className="check-title">{e.check}</span>
              <span className="check-ms">{formatMs(e.ms)}</span>
            </div>
            <pre className="command">{e.command}</pre>
            <pre className="output">{e.output}</pre>
          </li>
        ))}
      </ol>
      {readiness.remedy && <Remedy text={readiness.remedy} />}
    </div>
  );
}
