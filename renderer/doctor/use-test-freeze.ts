import { useState } from 'react';
import type { AppErrorShape } from '../../shared/errors';
import type { OperationSummary } from '../../shared/snapshot';
import { hasEnded } from '../operations/operation-record';
import { useOperation } from '../operations/use-operation';
import { RemoteError } from '../transport/transport';
import { useTransport } from '../transport/transport-context';

export type TestFreezeState =
  | { kind: 'idle' }
  | { kind: 'running'; opId?: string; frozen: boolean }
  | { kind: 'done'; summary: OperationSummary }
  | { kind: 'error'; error: AppErrorShape };

type Start =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'started'; opId: string }
  | { kind: 'error'; error: AppErrorShape };

/**
 * The doctor's test freeze: freezes and thaws through the host runner (same lock, watchdog and
 * one-session freeze/thaw as a snapshot) and reports the measured window. Follows the operation
 * as the event hub folds its events into the cache; once its journal ends, the hub has the
 * summary read again, and that is the outcome.
 */
export function useTestFreeze(hostId: string, uuid: string) {
  const transport = useTransport();
  const [begun, setBegun] = useState<Start>({ kind: 'idle' });
  const opId = begun.kind === 'started' ? begun.opId : undefined;
  const op = useOperation(hostId, opId);
  const state = testFreezeState(begun, op.data, op.error);

  const start = () => {
    setBegun({ kind: 'starting' });
    transport.call('doctor.testFreeze', { hostId, uuid }).then(
      ({ opId: id }) =>
        setBegun((s) => (s.kind === 'starting' ? { kind: 'started', opId: id } : s)),
      (err: unknown) => setBegun({ kind: 'error', error: toShape(err) }),
    );
  };
  return { state, start };
}

function testFreezeState(
  begun: Start,
  record: ReturnType<typeof useOperation>['data'],
  error: unknown,
): TestFreezeState {
  if (begun.kind === 'idle') return begun;
  if (begun.kind === 'error') return begun;
  if (begun.kind === 'starting') return { kind: 'running', frozen: false };
  const ended = hasEnded(record);
  if (ended && error) return { kind: 'error', error: toShape(error) };
  if (ended && record?.summary && record.summary.state !== 'running') {
    return { kind: 'done', summary: record.summary };
  }
  const frozen = record?.events.some((e) => e.kind === 'frozen') ?? false;
  return { kind: 'running', opId: begun.opId, frozen };
}

function toShape(err: unknown): AppErrorShape {
  return err instanceof RemoteError ? err.shape : { code: 'internal', message: String(err) };
}
