import { useId, useMemo } from 'react';
import {
  CartesianGrid,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
  type TooltipContentProps,
} from 'recharts';
import type { HistoryEntry } from '../../shared/history';
import { formatTime } from '../ui/format';
import { formatWindow } from '../operations/operation-format';
import { labelBadge } from './history-format';
import { medianOf, windowSummary } from './history-view';

interface Point {
  t: number;
  ms: number;
  name: string;
  label: string;
}

/** One series per label, so each has its colour (history.css) and its line in the legend. */
const SERIES = [
  { kind: 'quiesced', text: 'Quiesced' },
  { kind: 'crash-consistent', text: 'Crash-consistent' },
  { kind: 'paused', text: 'Paused' },
  { kind: 'offline', text: 'Offline' },
] as const;

const MIN_PAD_MS = 5_000;

/** The selected snapshot's ring, drawn around its point (SVG geometry, not a CSS transform). */
function Ring({ cx, cy }: { cx?: number; cy?: number }) {
  if (cx === undefined || cy === undefined) return null;
  return <circle className="selected-ring" cx={cx} cy={cy} r={9} />;
}

function PointTip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as Point | undefined;
  if (!active || !point) return null;
  return (
    <div className="chart-tip">
      <span className="mono">{point.name}</span>
      <span>
        {formatTime(point.t)} · <strong>{formatWindow(point.ms)}</strong>
      </span>
      <span className="muted small">{point.label}</span>
    </div>
  );
}

/**
 * The blocked-write window of each snapshot over time (as the host measured it: docs/ARCHITECTURE.md, "Measured window"),
 * a point per snapshot coloured by its label; the selected snapshot is ringed. The same in words
 * beside it, for a screen reader and for anyone who wants the numbers.
 */
export function WindowChart({
  snapshots,
  selected,
}: {
  snapshots: readonly HistoryEntry[];
  selected: string | undefined;
}) {
  const summaryId = useId();
  const points = useMemo(
    () =>
      snapshots.flatMap((s): (Point & { kind: string })[] =>
        s.windowMs !== null && s.createdAt && s.label
          ? [
              {
                t: Date.parse(s.createdAt),
                ms: s.windowMs,
                name: s.name,
                label: labelBadge(s.label).title,
                kind: s.label.kind,
              },
            ]
          : [],
      ),
    [snapshots],
  );
  const times = points.map((p) => p.t);
  const span = points.length ? Math.max(...times) - Math.min(...times) : 0;
  const pad = Math.max(span * 0.08, MIN_PAD_MS);
  const domain: [number, number] = points.length
    ? [Math.min(...times) - pad, Math.max(...times) + pad]
    : [0, 1];
  const ringed = points.filter((p) => p.name === selected);
  // The domain's usual window, so one far above it stands out.
  const median = medianOf(points.map((p) => p.ms));
  const present = SERIES.filter((s) => points.some((p) => p.kind === s.kind));

  return (
    <figure className="history-figure" data-testid="history-chart" data-points={points.length}>
      <figcaption className="figure-title">Blocked-write window per snapshot</figcaption>
      {points.length > 0 ? (
        <div className="window-chart" role="img" aria-labelledby={summaryId}>
          <ScatterChart
            className="chart-canvas"
            responsive
            accessibilityLayer={false}
            margin={{ top: 8, right: 16, bottom: 4, left: 0 }}
          >
            <CartesianGrid className="chart-grid" />
            <XAxis
              type="number"
              dataKey="t"
              name="Time"
              domain={domain}
              tickFormatter={(t: number) => formatTime(t)}
              tickCount={5}
            />
            <YAxis
              type="number"
              dataKey="ms"
              name="Window"
              unit=" ms"
              width={72}
              domain={[0, 'auto']}
              tickFormatter={(ms: number) => String(Math.round(ms))}
            />
            <ZAxis range={[64, 64]} />
            {points.length > 1 && (
              <ReferenceLine
                y={median}
                className="win-median"
                strokeDasharray="4 3"
                label={{ value: `median ${formatWindow(median)}`, position: 'insideTopRight' }}
                ifOverflow="extendDomain"
              />
            )}
            <Tooltip content={PointTip} cursor={false} isAnimationActive={false} />
            {present.map((s) => (
              <Scatter
                key={s.kind}
                name={s.text}
                data={points.filter((p) => p.kind === s.kind)}
                className={`win-series win-${s.kind}`}
                isAnimationActive={false}
              />
            ))}
            {ringed.length > 0 && (
              <Scatter
                name="Selected"
                data={ringed}
                className="win-series win-selected"
                shape={Ring}
                isAnimationActive={false}
                legendType="none"
              />
            )}
          </ScatterChart>
        </div>
      ) : (
        snapshots.length > 0 && (
          <p className="chart-empty muted small">No measured window to chart.</p>
        )
      )}
      {present.length > 0 && (
        <ul className="chart-legend inline-list small" aria-hidden="true">
          {present.map((s) => (
            <li key={s.kind}>
              <span className={`legend-dot win-${s.kind}`} /> {s.text}
            </li>
          ))}
        </ul>
      )}
      <p className="chart-summary small" id={summaryId} data-testid="history-chart-summary">
        {windowSummary(snapshots)}
      </p>
    </figure>
  );
}
