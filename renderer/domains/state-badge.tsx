import type { DomainState } from '../../shared/domains';

/** libvirt's state words, grouped into the few colours an admin scans for. */
const TONE: Record<DomainState, 'ok' | 'warn' | 'off' | 'bad' | 'info'> = {
  running: 'ok',
  blocked: 'warn',
  paused: 'warn',
  'in shutdown': 'warn',
  'shut off': 'off',
  'no state': 'off',
  crashed: 'bad',
  pmsuspended: 'info',
};

export function StateBadge({ state, testId }: { state: DomainState; testId?: string }) {
  return (
    <span className={`badge badge-${TONE[state]}`} data-testid={testId} data-state={state}>
      {state}
    </span>
  );
}
