import type { MethodInput } from '../../shared/contract';
import type { HostProfile } from '../../shared/hosts';
import { queryKeys } from '../cache/query-keys';
import { useCallMutation, useCallQuery } from '../cache/use-call-query';

/** The saved host profiles, in the order they were added. */
export function useHosts() {
  return useCallQuery(queryKeys.hosts, 'hosts.list', {});
}

/** Adds a host (no id) or replaces one (with id). Main disconnects an edited host itself. */
export function useSaveHost() {
  return useCallMutation(
    'hosts.save',
    (input: MethodInput<'hosts.save'>) => input,
    (client, saved) => {
      // Write the answer into the list at once so the new host can be selected without a flicker.
      client.setQueryData<HostProfile[]>(queryKeys.hosts, (prev = []) => {
        const at = prev.findIndex((h) => h.id === saved.id);
        return at < 0 ? [...prev, saved] : prev.map((h) => (h.id === saved.id ? saved : h));
      });
      void client.invalidateQueries({ queryKey: queryKeys.hosts });
    },
  );
}

export function useRemoveHost() {
  return useCallMutation(
    'hosts.remove',
    (hostId: string) => ({ hostId }),
    (client, _out, hostId) => {
      client.setQueryData<HostProfile[]>(queryKeys.hosts, (prev = []) =>
        prev.filter((h) => h.id !== hostId),
      );
      client.removeQueries({ queryKey: queryKeys.domains(hostId) });
      void client.invalidateQueries({ queryKey: queryKeys.hosts });
    },
  );
}
