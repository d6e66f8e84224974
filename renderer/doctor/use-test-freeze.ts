import { useEffect, useState } from 'react';
import type { OperationSummary } from '../../shared/snapshot';
import { useTransport } from '../app/transport-context';
import { RemoteError } from '../transport/transport';
import type { AppErrorShape } from '../../shared/errors';

export type TestFreezeState =
  | { kind: 'idle' }
  | { kind: 'running'; opId?: string; frozen: boolean }
  | { kind: 'done'; summary: OperationSummary }
  | { kind: 'error'; error: AppErrorShape };

/**
 * The doctor's test freeze: freezes and thaws through the host runner (same lock, watchdog and
 * one-session freeze/thaw as a snapshot) and reports the measured window. Follows the
 * operation's events until its journal ends, then reads the summary.
 */
export function useTestFreeze(hostId: string, uuid: string) {
  const transport = useTransport();
  const [state, setState] = useState<TestFreezeState>({ kind: 'idle' });
  const opId = state.kind === 'running' ? state.opId : undefined;

  useEffect(() => {
    if (!opId) return;
    return transport.subscribe((e) => {
      if (e.type !== 'operation' || e.opId !== opId) return;
      if (e.event.kind === 'frozen') setState({ kind: 'running', opId, frozen: true });
      if (e.event.kind === 'end') {
        transport.call('snapshot.get', { hostId, opId }).then(
          ({ summary }) => setState({ kind: 'done', summary }),
          (err: unknown) => setState({ kind: 'error', error: toShape(err) }),
        );
      }
    });
  }, [transport, hostId, opId]);

  const start = () => {
    setState({ kind: 'running', frozen: false });
    transport.call('doctor.testFreeze', { hostId, uuid }).then(
      ({ opId: id }) =>
        setState((s) =>
          s.kind === 'running' && !s.opId ? { kind: 'running', opId: id, frozen: false } : s,
        ),
      (err: unknown) => setState({ kind: 'error', error: toShape(err) }),
    );
  };
  return { state, start };
}

function toShape(err: unknown): AppErrorShape {
  return err instanceof RemoteError ? err.shape : { code: 'internal', message: String(err) };
}
