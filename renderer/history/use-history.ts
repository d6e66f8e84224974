import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';
import { useCachedValue } from '../cache/use-cached-value';
import { useTransport } from '../transport/transport-context';
import type { MergeProgress } from './merge-progress';

/**
 * One domain's history: libvirt's snapshots merged with Quiesce's journals, its disk chains and
 * what this libvirt can do with them. Read each time the dialog opens (it is one SSH round trip
 * and the chains change under every snapshot), and again after every action.
 */
export function useHistory(hostId: string, uuid: string) {
  const queryKey = queryKeys.history(hostId, uuid);
  return useCallQuery(queryKey, 'history.list', { hostId, uuid }, { staleTime: 0 });
}

/**
 * Delete and revert stay pending until the history has been read again, so a button never says
 * "done" over a list that still shows the snapshot. A revert stops the guest: the inventory's
 * state and readiness change with it.
 */
function useSnapshotAction(
  hostId: string,
  uuid: string,
  method: 'history.delete' | 'history.revert',
) {
  const transport = useTransport();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => transport.call(method, { hostId, uuid, name }),
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.history(hostId, uuid) }),
        method === 'history.revert'
          ? client.invalidateQueries({ queryKey: queryKeys.domains(hostId) })
          : null,
      ]),
  });
}

export const useDeleteSnapshot = (hostId: string, uuid: string) =>
  useSnapshotAction(hostId, uuid, 'history.delete');

export const useRevertSnapshot = (hostId: string, uuid: string) =>
  useSnapshotAction(hostId, uuid, 'history.revert');

export function useMergeChain(hostId: string, uuid: string) {
  const transport = useTransport();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => transport.call('history.merge', { hostId, uuid }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.history(hostId, uuid) }),
  });
}

/**
 * This domain's merge progress as the event hub folds it in (app/event-hub.ts); `reset` clears
 * it before a new merge.
 */
export function useMergeProgress(hostId: string, uuid: string) {
  const client = useQueryClient();
  const queryKey = queryKeys.mergeProgress(hostId, uuid);
  const progress = useCachedValue<MergeProgress>(queryKey) ?? {};
  return { progress, reset: () => client.setQueryData<MergeProgress>(queryKey, {}) };
}
