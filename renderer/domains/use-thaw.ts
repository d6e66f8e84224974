import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Domain } from '../../shared/domains';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';

/**
 * domains.thaw for one host. It stays pending until the inventory (and any open doctor) has been
 * read again, so the button that started it never says "done" over a badge that still says
 * FROZEN.
 */
export function useThaw(hostId: string) {
  const transport = useTransport();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (domain: Pick<Domain, 'uuid' | 'name'>) =>
      transport.call('domains.thaw', { hostId, uuid: domain.uuid }),
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.domains(hostId) }),
        client.invalidateQueries({ queryKey: queryKeys.doctors(hostId) }),
      ]),
  });
}

/** "quiesce-lab-agent thawed: 1 filesystem." — or why nothing needed thawing. */
export function thawMessage(name: string, thawed: number): string {
  if (thawed === 0) return `${name}: the agent thawed 0 filesystems — it was no longer frozen.`;
  return `${name} thawed: ${thawed} filesystem${thawed === 1 ? '' : 's'} can be written again.`;
}
