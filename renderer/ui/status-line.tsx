import type { ReactNode } from 'react';
import './ui.css';

/**
 * The one line under a dialog's title or over a view that says what is happening now, read out
 * by screen readers as it changes (role="status"); a spinner leads it while something runs.
 */
export function StatusLine({
  busy,
  className,
  testId,
  children,
}: {
  busy: boolean;
  /** The feature's own class, kept for its tests and any placement of its own. */
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <p
      className={`status-line muted small${className ? ` ${className}` : ''}`}
      role="status"
      data-testid={testId}
    >
      {busy && <span className="spinner" aria-hidden="true" />}
      {children}
    </p>
  );
}
