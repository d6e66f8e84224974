import type { AppEvent } from '../../shared/events';
import type { OperationKind } from '../../shared/snapshot';

export interface RunningOperation {
  hostId: string;
  opId: string;
  operation?: OperationKind;
  snapshot?: string;
  maxFreezeS?: number;
}

/**
 * Which operations this app follows and has not seen end, from the events main sends the
 * renderer (an operation's journal ends with an `end` line). The quit question reads it.
 */
export function createRunningOperations() {
  const running = new Map<string, RunningOperation>();
  return {
    observe(event: AppEvent): void {
      if (event.type !== 'operation') return;
      const key = `${event.hostId}/${event.opId}`;
      const e = event.event;
      if (e.kind === 'end') {
        running.delete(key);
        return;
      }
      const known = running.get(key) ?? { hostId: event.hostId, opId: event.opId };
      running.set(
        key,
        e.kind === 'started'
          ? { ...known, operation: e.operation, snapshot: e.snapshot, maxFreezeS: e.maxFreezeS }
          : known,
      );
    },
    list: (): RunningOperation[] => [...running.values()],
  };
}
