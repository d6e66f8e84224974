import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { createRefreshScheduler } from '../domains/refresh-scheduler';
import { foldRestoreProgress, type RestoreProgress } from '../export/restore-progress';
import { foldMergeProgress, type MergeProgress } from '../history/merge-progress';
import { applyConnectionEvent } from '../hosts/use-connections';
import { appendEvent, type OperationRecord } from '../operations/operation-record';
import { queryKeys } from '../cache/query-keys';
import { runMenuCommand } from '../menu/menu-commands';
import { useTransport } from '../transport/transport-context';

/**
 * The event hub: subscribes to main's event stream once for the whole app and folds each event
 * into the query cache, so every component reads connection state, domains, operations, history
 * and merge progress from one place. Nothing else calls `transport.subscribe`: a component that
 * needs an event reads what it changed in the cache.
 */
export function useEventHub(): void {
  const transport = useTransport();
  const client = useQueryClient();
  // After the browser shell's socket comes back, events may have been missed: re-read everything.
  useEffect(
    () => transport.onReconnect(() => void client.invalidateQueries()),
    [transport, client],
  );
  useEffect(() => {
    // libvirt reports a guest's start as several events (lifecycle, then the agent's channel):
    // one inventory refresh per burst, not one SSH round trip per event.
    const domainsChanged = createRefreshScheduler((hostId) => void rereadDomains(hostId));
    /**
     * A read already under way on a busy host (seconds) is not cancelled: events that keep coming
     * would starve the table. It started before the change, so it is followed by one more.
     */
    async function rereadDomains(hostId: string): Promise<void> {
      const queryKey = queryKeys.domains(hostId);
      const busy = client.isFetching({ queryKey }) > 0;
      await client.invalidateQueries({ queryKey }, { cancelRefetch: false });
      if (busy) await client.invalidateQueries({ queryKey }, { cancelRefetch: false });
    }
    const unsubscribe = transport.subscribe((event) => {
      if (event.type === 'connection') {
        applyConnectionEvent(client, event.hostId, {
          state: event.state,
          ...(event.error ? { error: event.error } : {}),
        });
      } else if (event.type === 'domains-changed') {
        domainsChanged.schedule(event.hostId);
      } else if (event.type === 'merge-progress') {
        // Kept only while a history dialog reads it (useMergeProgress), as before the hub.
        const queryKey = queryKeys.mergeProgress(event.hostId, event.uuid);
        if (client.getQueryCache().find({ queryKey, exact: true })) {
          client.setQueryData<MergeProgress>(queryKey, (prev) => foldMergeProgress(prev, event));
        }
      } else if (event.type === 'restore-progress') {
        // Kept only while a Restore… form of that export reads it (useRestoreProgress).
        const queryKey = queryKeys.restoreProgress(event.hostId, event.uuid, event.exportId);
        if (client.getQueryCache().find({ queryKey, exact: true })) {
          client.setQueryData<RestoreProgress>(queryKey, (prev) =>
            foldRestoreProgress(prev, event),
          );
        }
      } else if (event.type === 'restore-test') {
        // A restore test the domain's choice started after a snapshot: its kept result (and a
        // failed one) shows under the snapshot in the history's restore-test panel.
        void client.invalidateQueries({
          queryKey: queryKeys.restoreTests(event.hostId, event.uuid),
        });
      } else if (event.type === 'menu') {
        runMenuCommand(event.command);
      } else if (event.type === 'operation') {
        const { hostId, opId } = event;
        client.setQueryData<OperationRecord>(queryKeys.operation(hostId, opId), (prev) =>
          appendEvent(prev, event.event, Date.now()),
        );
        if (event.event.kind === 'watchdog') {
          // Only a watchdog speaks for a runner that is gone: the host's list knows whether it
          // still lives (a journal without an end then reads "lost").
          void client.invalidateQueries({ queryKey: queryKeys.operations(hostId) });
        } else if (event.event.kind === 'end') {
          // main's summary (with the error explained), the host's list, and the disks: a
          // snapshot puts an overlay on top of every disk. An open history is read again too:
          // the `end` line does not name the domain, so any end on the host counts.
          void client.invalidateQueries({ queryKey: queryKeys.operation(hostId, opId) });
          void client.invalidateQueries({ queryKey: queryKeys.operations(hostId) });
          void client.invalidateQueries({ queryKey: queryKeys.histories(hostId) });
          void rereadDomains(hostId);
        }
      }
    });
    return () => {
      unsubscribe();
      domainsChanged.dispose();
    };
  }, [transport, client]);
}
