import type { ConnectionState } from '../../shared/hosts';

const LABELS: Record<ConnectionState, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Failed',
};

/** A host's link state as a coloured pill; the word is always there, colour only helps. */
export function ConnectionPill({ state, testId }: { state: ConnectionState; testId?: string }) {
  return (
    <span className={`pill pill-${state}`} data-testid={testId} data-state={state}>
      <span className="pill-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
