import { useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';
import { isComplete, mergeAnswer, type OperationRecord } from './operation-record';

/**
 * One operation as this window follows it. Main pushes each journal line as an event (folded in
 * by app/event-hub.ts); snapshot.get fills in what this window missed (a reload, a dropped
 * socket) and, once the operation has ended, brings main's summary with the error explained.
 * snapshot.get reads main's memory, not the host: asking again is cheap.
 */
export function useOperation(hostId: string, opId: string | undefined) {
  const transport = useTransport();
  const client = useQueryClient();
  const queryKey = queryKeys.operation(hostId, opId ?? '');
  return useQuery({
    queryKey,
    // No operation yet (its start has not answered): nothing to read.
    enabled: opId !== undefined,
    queryFn: async (): Promise<OperationRecord> => {
      const answer = await transport.call('snapshot.get', { hostId, opId: opId! });
      return mergeAnswer(client.getQueryData<OperationRecord>(queryKey), answer, Date.now());
    },
    // What the stream delivered from the start is enough until the end (invalidated then);
    // a record that began halfway is read back at once.
    staleTime: (query) =>
      isComplete(query.state.data as OperationRecord | undefined) ? Infinity : 0,
    retry: false,
  });
}
