import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';

/**
 * The domains of one host. Asked for only while the host is connected: main would answer
 * "not connected" otherwise, and that is not news worth an error box.
 */
export function useDomains(hostId: string, connected: boolean) {
  const transport = useTransport();
  return useQuery({
    queryKey: queryKeys.domains(hostId),
    queryFn: () => transport.call('domains.list', { hostId }),
    enabled: connected,
  });
}
