import { useEffect, useState } from 'react';
import { thawMessage, useThaw } from '../domains/use-thaw';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';

/** A second is what the admin reads; ticking faster would only repaint. */
const TICK_MS = 250;

/**
 * While the guest is frozen: the seconds left before the host's watchdog thaws it whatever
 * happens, and the way to thaw it now ("Abort and thaw": the agent's thaw, as the frozen-guest
 * banner does). A thaw from here makes the snapshot not quiesced; the result says what it became.
 */
export function AbortAndThaw({
  hostId,
  domain,
  deadline,
}: {
  hostId: string;
  domain: { uuid: string; name: string };
  /** When the watchdog thaws, on this window's clock (Date.now()). */
  deadline: number | undefined;
}) {
  const thaw = useThaw(hostId);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  const left = deadline === undefined ? undefined : Math.max(0, (deadline - now) / 1000);
  return (
    <div className="abort-thaw inline-row gap-4" data-testid="watchdog-countdown">
      <span className="small" data-seconds-left={left === undefined ? '' : left.toFixed(1)}>
        {left === undefined
          ? 'The watchdog on the host thaws the guest at the maximum freeze time.'
          : left > 0
            ? `The watchdog thaws the guest in ${Math.ceil(left)} s if nothing else does.`
            : 'The maximum freeze time has passed: the watchdog is thawing the guest.'}
      </span>
      <button
        type="button"
        className="danger small"
        data-testid="abort-thaw"
        disabled={thaw.isPending || thaw.isSuccess}
        onClick={() => thaw.mutate(domain)}
      >
        {thaw.isPending ? 'Thawing…' : 'Abort and thaw'}
      </button>
      {thaw.isSuccess && (
        <span className="small" role="status" data-testid="abort-thaw-result">
          {thawMessage(domain.name, thaw.data.thawed)}
        </span>
      )}
      {thaw.isError && <ErrorBox error={errorShape(thaw.error)} />}
    </div>
  );
}
