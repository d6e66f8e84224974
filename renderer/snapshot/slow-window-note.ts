import type { OperationSummary } from '../../shared/snapshot';
import { slowWindow } from '../../shared/window-median';
import { formatWindow } from '../operations/operation-format';

type Listed = Pick<OperationSummary, 'opId' | 'operation' | 'uuid' | 'state' | 'windowMs'>;

/**
 * Whether this snapshot's blocked-write window is far above the domain's usual one, in one
 * sentence — the rule the schedule's alerts use (shared/window-median.ts), compared with the
 * domain's other snapshots that succeeded with a measured window in the host's recent
 * operations (every workstation's and every schedule's). Undefined when it is not far above,
 * or when there are too few of them to say what usual is.
 */
export function slowWindowNote(
  op: { opId: string; uuid: string; windowMs: number },
  operations: readonly Listed[],
): string | undefined {
  const earlier = operations
    .filter(
      (o) =>
        o.opId !== op.opId &&
        o.uuid === op.uuid &&
        o.operation === 'snapshot' &&
        o.state === 'succeeded' &&
        typeof o.windowMs === 'number',
    )
    .map((o) => o.windowMs!);
  const slow = slowWindow(op.windowMs, earlier);
  if (!slow) return undefined;
  return `Guest writes were held for ${formatWindow(op.windowMs)}, far above this domain’s median of ${formatWindow(slow.medianMs)} (over its ${slow.samples} other snapshots in the host’s recent operations): look at the phases — a slow freeze points at the guest (busy disks, many filesystems), a slow cut at the host (storage, a block job).`;
}
