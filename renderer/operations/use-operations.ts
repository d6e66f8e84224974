import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';

/**
 * The host's recent operations from their journals on the host (every workstation's, failed ones
 * too), newest first. Read again when an operation ends (app/event-hub.ts) or on Refresh.
 */
export function useOperations(hostId: string) {
  return useCallQuery(queryKeys.operations(hostId), 'operations.list', { hostId });
}
