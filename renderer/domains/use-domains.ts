import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';

/**
 * The domains of one host. Asked for only while the host is connected: main would answer
 * "not connected" otherwise, and that is not news worth an error box.
 */
export function useDomains(hostId: string, connected: boolean) {
  return useCallQuery(
    queryKeys.domains(hostId),
    'domains.list',
    { hostId },
    { enabled: connected },
  );
}
