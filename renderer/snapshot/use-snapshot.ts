import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../shared/contract';
import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';
import { useTransport } from '../transport/transport-context';

/** The policy and maximum freeze remembered for a domain, or the defaults (a local file read). */
export function useSnapshotDefaults(hostId: string, uuid: string) {
  const queryKey = queryKeys.snapshotDefaults(hostId, uuid);
  return useCallQuery(queryKey, 'snapshot.defaults', { hostId, uuid }, { staleTime: 0 });
}

/**
 * snapshot.start: answers with the operation's id as soon as the runner is launched on the host;
 * the rest arrives as events. The host's list then has a running operation to show.
 */
export function useStartSnapshot(hostId: string) {
  const transport = useTransport();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: MethodInput<'snapshot.start'>) => transport.call('snapshot.start', input),
    onSuccess: (_out, input) => {
      void client.invalidateQueries({ queryKey: queryKeys.operations(hostId) });
      if (input.remember) {
        void client.invalidateQueries({ queryKey: queryKeys.snapshotDefaults(hostId, input.uuid) });
      }
    },
  });
}
