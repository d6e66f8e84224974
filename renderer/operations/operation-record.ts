import type { OperationEvent, OperationSummary } from '../../shared/snapshot';

/**
 * One operation as this window knows it: the journal's events in order (pushed by main as they
 * happen, or read back with snapshot.get after a reload), main's summary when it was last read,
 * and when the `frozen` event reached this window (the live counter ticks from there: the host's
 * monotonic clock cannot be compared with ours).
 */
export interface OperationRecord {
  events: OperationEvent[];
  summary?: OperationSummary;
  frozenSeenAt?: number;
}

/** The events start with the journal's first line: nothing before them was missed. */
export function isComplete(record: OperationRecord | undefined): boolean {
  return record?.events[0]?.kind === 'started';
}

export function hasEnded(record: OperationRecord | undefined): boolean {
  return record?.events.some((e) => e.kind === 'end') ?? false;
}

/** Frozen and not thawed yet, as far as the events go. */
export function isFrozenNow(events: readonly OperationEvent[]): boolean {
  const frozen = events.findLastIndex((e) => e.kind === 'frozen');
  if (frozen < 0) return false;
  return !events
    .slice(frozen)
    .some(
      (e) =>
        e.kind === 'thawed' ||
        e.kind === 'end' ||
        e.kind === 'result' ||
        (e.kind === 'watchdog' && e.what === 'thawed') ||
        (e.kind === 'phase' && e.phase === 'thaw' && e.status !== 'running'),
    );
}

/** One more event from main's stream. */
export function appendEvent(
  prev: OperationRecord | undefined,
  event: OperationEvent,
  now: number,
): OperationRecord {
  const base = prev ?? { events: [] };
  return {
    ...base,
    events: [...base.events, event],
    ...(event.kind === 'frozen' ? { frozenSeenAt: now } : {}),
  };
}

/**
 * Folds a snapshot.get answer into what the stream already delivered. Both are the same journal
 * in the same order (one socket carries both), so when this window saw the operation from its
 * start the longer list is the right one; when it joined halfway (a reload), the answer comes
 * first and only the streamed events the host had not yet written at that moment follow it.
 */
export function mergeAnswer(
  prev: OperationRecord | undefined,
  answer: { events: OperationEvent[]; summary: OperationSummary },
  now: number,
): OperationRecord {
  const streamed = prev?.events ?? [];
  let events: OperationEvent[];
  if (streamed.length === 0) events = answer.events;
  else if (isComplete(prev)) {
    events = answer.events.length >= streamed.length ? answer.events : streamed;
  } else {
    const lastAt = answer.events.at(-1)?.at ?? -Infinity;
    events = [...answer.events, ...streamed.filter((e) => e.at > lastAt)];
  }
  const frozenSeenAt = prev?.frozenSeenAt ?? (isFrozenNow(events) ? now : undefined);
  return {
    events,
    summary: answer.summary,
    ...(frozenSeenAt !== undefined ? { frozenSeenAt } : {}),
  };
}
