import type { OperationEvent } from '../../shared/snapshot';

/**
 * When the host's watchdog will thaw the guest, on this window's clock. The watchdog sleeps the
 * maximum freeze from the moment it is armed (before the freeze), so its deadline is the freeze
 * seen here plus the maximum freeze, less the time the host took from arming to freezing (both
 * on the host's own clock). Undefined until the journal has said all three.
 */
export function watchdogDeadline(
  events: readonly OperationEvent[],
  frozenSeenAt: number | undefined,
): number | undefined {
  let maxFreezeS: number | undefined;
  let armedAt: number | undefined;
  let frozenAt: number | undefined;
  for (const e of events) {
    if (e.kind === 'started') maxFreezeS = e.maxFreezeS;
    else if (e.kind === 'phase' && e.phase === 'arm' && e.status === 'running') armedAt = e.at;
    else if (e.kind === 'frozen') frozenAt = e.at;
  }
  if (maxFreezeS === undefined || frozenAt === undefined || frozenSeenAt === undefined)
    return undefined;
  const armToFreeze = armedAt === undefined ? 0 : Math.max(0, frozenAt - armedAt);
  return frozenSeenAt + maxFreezeS * 1000 - armToFreeze;
}

/** The UUID the operation snapshots (its `started` line), for the thaw. */
export function operationUuid(events: readonly OperationEvent[]): string | undefined {
  for (const e of events) if (e.kind === 'started') return e.uuid;
  return undefined;
}
