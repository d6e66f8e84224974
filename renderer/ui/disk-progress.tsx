import type { ReactNode } from 'react';
import './ui.css';

/**
 * How far a job has got on each disk of a domain (a chain merge, a restore's copy): a box of
 * DiskProgressLine, one a disk. `state` "done" turns it green.
 */
export function DiskProgress({
  testId,
  state,
  role,
  className,
  children,
}: {
  testId: string;
  state?: 'running' | 'done';
  role?: 'status';
  /** The feature's own class, for what it sets differently (e.g. --disk-progress-words). */
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      className={className ? `box disk-progress ${className}` : 'box disk-progress'}
      data-testid={testId}
      data-state={state}
      role={role}
    >
      {children}
    </div>
  );
}

/**
 * One disk's line: its target labels the bar, then what the bar says in words. `data` lands on
 * the line as data-* attributes (what tests and styles read: the numbers behind the bar).
 */
export function DiskProgressLine({
  id,
  target,
  max,
  value,
  valueText,
  words,
  data,
}: {
  /** The bar's id (the label's htmlFor): unique on the page. */
  id: string;
  target: string;
  max: number;
  value: number;
  /** What a screen reader says for the bar, where its percentage is not enough. */
  valueText?: string;
  words: ReactNode;
  data?: Record<`data-${string}`, string | number>;
}) {
  return (
    <div className="disk-progress-line" data-target={target} {...data}>
      <label htmlFor={id} className="mono">
        {target}
      </label>
      <progress id={id} max={max} value={value} aria-valuetext={valueText} />
      <span className="small">{words}</span>
    </div>
  );
}
