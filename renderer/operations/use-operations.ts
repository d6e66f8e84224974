import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';

/**
 * The host's recent operations from their journals on the host (every workstation's, failed ones
 * too), newest first. Read again when an operation ends (app/event-hub.ts) or on Refresh.
 */
export function useOperations(hostId: string) {
  const transport = useTransport();
  return useQuery({
    queryKey: queryKeys.operations(hostId),
    queryFn: () => transport.call('operations.list', { hostId }),
  });
}
