import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../shared/contract';
import type { HostProfile } from '../../shared/hosts';
import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';
import { useTransport } from '../transport/transport-context';

/** The saved host profiles, in the order they were added. */
export function useHosts() {
  return useCallQuery(queryKeys.hosts, 'hosts.list', {});
}

/** Adds a host (no id) or replaces one (with id). Main disconnects an edited host itself. */
export function useSaveHost() {
  const transport = useTransport();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: MethodInput<'hosts.save'>) => transport.call('hosts.save', input),
    onSuccess: (saved) => {
      // Write the answer into the list at once so the new host can be selected without a flicker.
      client.setQueryData<HostProfile[]>(queryKeys.hosts, (prev = []) => {
        const at = prev.findIndex((h) => h.id === saved.id);
        return at < 0 ? [...prev, saved] : prev.map((h) => (h.id === saved.id ? saved : h));
      });
      void client.invalidateQueries({ queryKey: queryKeys.hosts });
    },
  });
}

export function useRemoveHost() {
  const transport = useTransport();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (hostId: string) => transport.call('hosts.remove', { hostId }),
    onSuccess: (_out, hostId) => {
      client.setQueryData<HostProfile[]>(queryKeys.hosts, (prev = []) =>
        prev.filter((h) => h.id !== hostId),
      );
      client.removeQueries({ queryKey: queryKeys.domains(hostId) });
      void client.invalidateQueries({ queryKey: queryKeys.hosts });
    },
  });
}
