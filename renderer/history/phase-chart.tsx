import { useId, useMemo, useState } from 'react';
import { Bar, BarChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { WINDOW_PHASES } from '../../shared/operation-model';
import { PHASES, type OperationSummary, type Phase, type PhaseStatus } from '../../shared/snapshot';
import { formatMs } from '../ui/format';
import { formatWhen, formatWindow, STATE_WORD } from '../operations/operation-format';
import { PHASE_TITLE } from '../operations/phase-steps';
import { operationTitle } from './history-format';

type Row = { name: string } & Partial<Record<Phase, number>>;

interface PhaseTime {
  phase: Phase;
  ms: number;
  status: PhaseStatus;
}

/** The phases the journal timed, in the runner's order, each summed if it ran more than once. */
export function phaseTimes(op: Pick<OperationSummary, 'phases'>): PhaseTime[] {
  return PHASES.flatMap((phase) => {
    const runs = op.phases.filter((p) => p.phase === phase);
    if (runs.length === 0) return [];
    const last = runs.at(-1)!;
    return [{ phase, ms: runs.reduce((sum, r) => sum + (r.ms ?? 0), 0), status: last.status }];
  });
}

function SegmentTip({ active, payload }: TooltipContentProps) {
  if (!active || !payload?.length) return null;
  return (
    <div className="chart-tip">
      {payload.map((p) => (
        <span key={String(p.dataKey)}>
          {PHASE_TITLE[p.dataKey as Phase]} · <strong>{formatMs(Number(p.value))}</strong>
        </span>
      ))}
    </div>
  );
}

/**
 * One operation's phases as a horizontal stacked bar, each segment as long as the phase took on
 * the host; freeze, cut and thaw (the window) in ice blue. The legend under it is the same in
 * words, with each phase's time. Which operation: the selected snapshot's, or any from the list.
 */
export function PhaseChart({
  operations,
  opId,
  onOpId,
}: {
  operations: readonly OperationSummary[];
  opId: string | undefined;
  onOpId: (opId: string) => void;
}) {
  const uid = useId();
  const [today] = useState(() => new Date());
  const op = operations.find((o) => o.opId === opId) ?? operations[0];
  const times = useMemo(() => (op ? phaseTimes(op) : []), [op]);
  const row: Row = { name: op?.snapshot ?? '' };
  for (const t of times) row[t.phase] = t.ms;
  const total = times.reduce((sum, t) => sum + t.ms, 0);

  return (
    <figure
      className="history-figure"
      data-testid="history-phase-chart"
      data-op-id={op?.opId ?? ''}
      data-phases={times.length}
    >
      <figcaption className="figure-title">Phases of an operation</figcaption>
      {operations.length === 0 ? (
        <p className="chart-empty muted small">Quiesce has run no operation on this domain.</p>
      ) : (
        <>
          <div className="history-tool">
            <label htmlFor={`${uid}-op`}>Operation</label>
            <select
              id={`${uid}-op`}
              value={op?.opId}
              data-testid="history-phase-op"
              onChange={(e) => onOpId(e.target.value)}
            >
              {operations.map((o) => (
                <option key={o.opId} value={o.opId}>
                  {formatWhen(o.startedAt, today)} · {operationTitle(o)} · {STATE_WORD[o.state]}
                </option>
              ))}
            </select>
          </div>
          {times.length > 0 && total > 0 ? (
            <div className="phase-chart" role="img" aria-labelledby={`${uid}-summary`}>
              <BarChart
                className="chart-canvas"
                responsive
                layout="vertical"
                data={[row]}
                accessibilityLayer={false}
                margin={{ top: 4, right: 16, bottom: 4, left: 16 }}
                barSize={28}
              >
                <XAxis
                  type="number"
                  unit=" ms"
                  tickFormatter={(ms: number) => String(Math.round(ms))}
                />
                <YAxis type="category" dataKey="name" hide />
                <Tooltip content={SegmentTip} cursor={false} isAnimationActive={false} />
                {times.map((t) => (
                  <Bar
                    key={t.phase}
                    dataKey={t.phase}
                    stackId="phases"
                    className={`seg seg-${t.phase}${t.status === 'failed' ? ' is-failed' : ''}`}
                    isAnimationActive={false}
                  />
                ))}
              </BarChart>
            </div>
          ) : (
            <p className="chart-empty muted small">This operation’s journal timed no phase.</p>
          )}
          <ol
            className="phase-legend inline-list small"
            id={`${uid}-summary`}
            data-testid="history-phase-summary"
          >
            {times.map((t) => (
              <li key={t.phase} className={t.status === 'failed' ? 'is-failed' : undefined}>
                <span className={`legend-swatch seg-${t.phase}`} aria-hidden="true" />
                {PHASE_TITLE[t.phase]} {formatMs(t.ms)}
                {t.status === 'failed' && ' (failed)'}
                {t.status === 'running' && ' (running)'}
              </li>
            ))}
            {times.length > 0 && (
              <li className="phase-total">
                Total {formatMs(total)}
                {op?.windowMs != null && <> · window {formatWindow(op.windowMs)}</>}
                {times.some((t) => WINDOW_PHASES.has(t.phase)) ? '' : ' · nothing was frozen'}
              </li>
            )}
          </ol>
        </>
      )}
    </figure>
  );
}
