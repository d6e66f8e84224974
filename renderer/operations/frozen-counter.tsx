import { useEffect, useState } from 'react';
import { formatWindow } from './operation-format';

/** Often enough to read as a running count, rarely enough to cost nothing. */
const TICK_MS = 41;

/**
 * While the guest is frozen: how long its writes have been held so far, counted in this window
 * from the moment the `frozen` line arrived (an estimate: the host's clock is not ours). Once the
 * thaw has returned: the window as the host measured it (docs/ARCHITECTURE.md, "Measured window"), which replaces the
 * estimate. When the runner stopped without measuring (the watchdog thawed, or nobody knows),
 * the count stops and says so rather than keep ticking.
 */
export function FrozenCounter({
  since,
  windowMs,
  filesystems,
  frozenNow,
  watchdogThawed,
}: {
  /** When this window saw the freeze (Date.now()), while frozen. */
  since: number | undefined;
  /** The measured window, once thawed. */
  windowMs: number | null;
  filesystems: number;
  /** Still frozen as far as the journal and the operation's state go. */
  frozenNow: boolean;
  watchdogThawed: boolean;
}) {
  const thawed = windowMs !== null;
  const ticking = !thawed && frozenNow && since !== undefined;
  const [now, setNow] = useState(() => since ?? 0);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [ticking]);

  if (!thawed && !ticking) {
    return (
      <div
        className="frozen-counter is-unmeasured"
        data-testid="frozen-counter"
        data-state="unmeasured"
        role="status"
      >
        <span className="counter-caption">
          {watchdogThawed
            ? 'The watchdog thawed the guest: the window was not measured.'
            : 'The window was not measured: the runner stopped before the thaw.'}
        </span>
        <span className="counter-note">
          {filesystems} filesystem{filesystems === 1 ? '' : 's'} had been frozen · see the outcome
          below
        </span>
      </div>
    );
  }

  const fs = `${filesystems} filesystem${filesystems === 1 ? '' : 's'}`;
  return (
    <div
      className={`frozen-counter ${thawed ? 'is-thawed' : 'is-frozen'}`}
      data-testid="frozen-counter"
      data-state={thawed ? 'thawed' : 'frozen'}
      role={thawed ? 'status' : undefined}
    >
      {thawed ? (
        <>
          <span className="counter-caption">Guest writes were held for</span>{' '}
          <span className="counter-value">{formatWindow(windowMs)}</span>
          <span className="counter-note">
            measured on the host, freeze issued → thaw returned · {fs}
          </span>
        </>
      ) : (
        <>
          <span className="counter-caption">Guest writes held:</span>{' '}
          <span className="counter-value" aria-live="off">
            {Math.max(0, Math.round(now - (since ?? now)))} ms
          </span>
          <span className="counter-note">
            {fs} frozen · counted here until the host reports the thaw
          </span>
        </>
      )}
    </div>
  );
}
