import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queryKeys } from '../app/query-keys';
import { useTransport } from '../app/transport-context';

/**
 * One domain's history: libvirt's snapshots merged with Quiesce's journals, its disk chains and
 * what this libvirt can do with them. Read each time the dialog opens (it is one SSH round trip
 * and the chains change under every snapshot), and again after every action.
 */
export const historyKey = (hostId: string, uuid: string) => ['history', hostId, uuid] as const;

export function useHistory(hostId: string, uuid: string) {
  const transport = useTransport();
  return useQuery({
    queryKey: historyKey(hostId, uuid),
    queryFn: () => transport.call('history.list', { hostId, uuid }),
    staleTime: 0,
  });
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
        client.invalidateQueries({ queryKey: historyKey(hostId, uuid) }),
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
    onSettled: () => client.invalidateQueries({ queryKey: historyKey(hostId, uuid) }),
  });
}

/** How far each disk's merge has got, from main's `merge-progress` events. */
export type MergeProgress = Record<string, { percent: number; done: boolean }>;

/** Follows this domain's merge-progress events; `reset` clears them before a new merge. */
export function useMergeProgress(hostId: string, uuid: string) {
  const transport = useTransport();
  const [progress, setProgress] = useState<MergeProgress>({});
  useEffect(
    () =>
      transport.subscribe((event) => {
        if (event.type !== 'merge-progress' || event.hostId !== hostId || event.uuid !== uuid) {
          return;
        }
        setProgress((prev) => ({
          ...prev,
          [event.target]: {
            percent: Math.max(prev[event.target]?.percent ?? 0, event.percent),
            done: event.done === true || prev[event.target]?.done === true,
          },
        }));
      }),
    [transport, hostId, uuid],
  );
  return { progress, reset: () => setProgress({}) };
}

/**
 * While the dialog is open, an operation that ends on this host (a snapshot taken from here or
 * from another workstation's Quiesce followed by this one) may have added to this domain's list:
 * read it again. The `end` line does not name the domain, so any end on the host counts.
 */
export function useRereadOnOperationEnd(hostId: string, uuid: string) {
  const transport = useTransport();
  const client = useQueryClient();
  useEffect(
    () =>
      transport.subscribe((event) => {
        if (event.type === 'operation' && event.hostId === hostId && event.event.kind === 'end') {
          void client.invalidateQueries({ queryKey: historyKey(hostId, uuid) });
        }
      }),
    [transport, client, hostId, uuid],
  );
}
