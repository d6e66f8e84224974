import { ErrorBox } from '../ui/error-box';
import { useTestFreeze } from './use-test-freeze';

/**
 * "Test freeze": proves the agent can freeze and thaw this guest right now, and how long writes
 * would be held, without cutting anything. Guarded like a snapshot: a watchdog thaws the guest
 * whatever happens.
 */
export function TestFreeze({ hostId, uuid }: { hostId: string; uuid: string }) {
  const { state, start } = useTestFreeze(hostId, uuid);
  const running = state.kind === 'running';
  return (
    <section className="doctor-remedy" data-testid="doctor-test-freeze" data-state={state.kind}>
      <h4>Test freeze</h4>
      <p className="muted small">
        Freezes the guest’s filesystems and thaws them at once, through the same guarded runner and
        watchdog as a snapshot, and measures how long writes were held. Nothing is cut.
      </p>
      <button type="button" onClick={start} disabled={running} data-testid="doctor-test-freeze-run">
        {running ? (state.frozen ? 'Frozen… thawing' : 'Freezing…') : 'Run a test freeze'}
      </button>
      {state.kind === 'done' && state.summary.state === 'succeeded' && (
        <p role="status" data-testid="doctor-test-freeze-result">
          Froze{' '}
          {state.summary.label?.kind === 'test-freeze' ? state.summary.label.filesystems : '?'}{' '}
          filesystem(s) and thawed: writes were held for{' '}
          <strong>{state.summary.windowMs?.toFixed(0)} ms</strong> (measured on the host).
        </p>
      )}
      {state.kind === 'done' && state.summary.state !== 'succeeded' && state.summary.error && (
        <ErrorBox error={state.summary.error} testId="doctor-test-freeze-error" />
      )}
      {state.kind === 'error' && <ErrorBox error={state.error} testId="doctor-test-freeze-error" />}
    </section>
  );
}
