import { useState } from 'react';
import type { OperationSummary } from '../../shared/snapshot';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { StatusLine } from '../ui/status-line';
import { RemoteError } from '../transport/transport';
import { AbortAndThaw } from './abort-and-thaw';
import { FrozenCounter } from './frozen-counter';
import { hasEnded, isFrozenNow } from './operation-record';
import { foldPhases } from '../../shared/operation-model';
import { liveFacts, phaseSteps } from './phase-steps';
import { PhaseTimeline } from './phase-timeline';
import { ResultCard } from './result-card';
import { useOperation } from './use-operation';
import { operationUuid, watchdogDeadline } from './watchdog-countdown';
import { windowBreakdown } from './window-breakdown';
import './operations.css';

const finished = (s: OperationSummary | undefined) =>
  s !== undefined && s.state !== 'running' ? s : undefined;

/**
 * One operation, live or done: the phase timeline, the "guest writes held" counter while the
 * guest is frozen, then the result card. Follows main's events when this window has them; for an
 * operation main does not follow (another workstation's, or one from before this window), the
 * summary from the host's list stands in.
 */
export function OperationView({
  hostId,
  opId,
  listed,
  domainName,
}: {
  hostId: string;
  opId: string;
  /** The operation as operations.list last read it, if it is there. */
  listed?: OperationSummary | undefined;
  domainName?: string | undefined;
}) {
  const op = useOperation(hostId, opId);
  // Wall-clock "today" for the start time; read once, as the view opens.
  const [today] = useState(() => new Date());
  const record = op.data;
  const events = record?.events ?? [];
  const summary = finished(record?.summary) ?? finished(listed);
  const ended = hasEnded(record);
  const state = summary?.state ?? 'running';
  const runs = summary
    ? summary.phases
    : events.length > 0
      ? foldPhases(events)
      : (listed?.phases ?? []);
  const steps = phaseSteps(runs, state);
  const facts = liveFacts(events);
  const frozenNow = state === 'running' && isFrozenNow(events);
  const uuid = operationUuid(events);
  const notFollowed =
    op.isError && op.error instanceof RemoteError && op.error.shape.code === 'not-found';

  return (
    <div className="op-view stack" data-op-id={opId}>
      <section
        className="op-progress stack"
        data-testid="snapshot-progress"
        data-state={state}
        aria-busy={state === 'running'}
        aria-label="Progress"
      >
        <PhaseTimeline steps={steps} />
        {frozenNow && uuid && (
          <AbortAndThaw
            hostId={hostId}
            domain={{ uuid, name: domainName ?? uuid }}
            deadline={watchdogDeadline(events, record?.frozenSeenAt)}
          />
        )}
        {facts.windowMs !== null && (
          <p className="small muted" data-testid="window-breakdown">
            {windowBreakdown(runs, facts.windowMs)}
          </p>
        )}
        {facts.frozen && (
          <FrozenCounter
            since={record?.frozenSeenAt}
            windowMs={facts.windowMs}
            filesystems={facts.frozen.filesystems}
            frozenNow={frozenNow}
            watchdogThawed={facts.watchdog?.what === 'thawed'}
          />
        )}
        {state === 'running' && facts.watchdog && (
          <p className="notice-warning" role="alert" data-testid="watchdog-live">
            {facts.watchdog.what === 'fired'
              ? 'The maximum freeze time has passed: the watchdog on the host is thawing the guest.'
              : facts.watchdog.what === 'thawed'
                ? 'The watchdog thawed the guest.'
                : 'The watchdog gave up: the guest may still be frozen.'}
          </p>
        )}
        {state === 'running' && (
          <StatusLine busy className="op-status">
            {ended
              ? 'Reading the outcome…'
              : notFollowed
                ? 'Running — not followed from this window (started elsewhere); the list shows its outcome when it ends.'
                : events.length === 0
                  ? 'Starting the runner on the host…'
                  : 'Running on the host. It goes on if this window closes or the link drops.'}
          </StatusLine>
        )}
      </section>
      {summary && <ResultCard summary={summary} domainName={domainName} today={today} />}
      {op.isError && !notFollowed && !summary && <ErrorBox error={errorShape(op.error)} />}
    </div>
  );
}
