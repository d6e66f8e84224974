import type { AppEvent } from '../../shared/events';

/**
 * The desktop notification for an operation's outcome (its `result` line), for an admin who
 * started a snapshot and went to another window; undefined for any other event.
 */
export function operationNotice(event: AppEvent): { title: string; body: string } | undefined {
  if (event.type === 'schedule-alert') {
    return { title: `Schedule ${event.schedule} needs a look`, body: event.message };
  }
  if (event.type === 'restore-test') {
    // Only what needs a look: a test that could not start, or a snapshot not shown restorable.
    if (event.state === 'not-started') {
      return {
        title: `Restore test of ${event.snapshot} did not start`,
        body: event.message ?? 'See Quiesce for why.',
      };
    }
    if (event.state === 'ended' && event.restorable !== true) {
      return {
        title: `Snapshot ${event.snapshot} not shown restorable`,
        body: event.message ?? 'See its restore test in the history.',
      };
    }
    return undefined;
  }
  if (event.type !== 'operation' || event.event.kind !== 'result') return undefined;
  const r = event.event;
  if (!r.ok) {
    return {
      title: 'Snapshot failed',
      body:
        r.message ?? (r.failedPhase ? `It failed at ${r.failedPhase}.` : 'See Quiesce for why.'),
    };
  }
  if (r.label === 'test-freeze') {
    return {
      title: 'Test freeze done',
      body: `${r.filesystems ?? 0} filesystems froze and thawed.`,
    };
  }
  const label =
    r.label === 'quiesced'
      ? `quiesced (${r.filesystems ?? 0} filesystems)`
      : r.label === 'offline'
        ? 'offline (the domain was not running)'
        : `crash-consistent${r.reason ? `: ${r.reason}` : ''}`;
  return { title: 'Snapshot taken', body: `Labelled ${label}.` };
}
