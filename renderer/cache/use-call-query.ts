import { useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import { useTransport } from '../transport/transport-context';

type CallQueryOptions<M extends MethodName> = Omit<
  UseQueryOptions<MethodOutput<M>, Error, MethodOutput<M>, QueryKey>,
  'queryKey' | 'queryFn'
>;

/**
 * A query that is one call to main: its key (from query-keys.ts), the contract method and its
 * input, and whatever differs (freshness, when it may run). The answer is typed by the contract.
 */
export function useCallQuery<M extends MethodName>(
  queryKey: QueryKey,
  method: M,
  input: MethodInput<M>,
  options: CallQueryOptions<M> = {},
) {
  const transport = useTransport();
  return useQuery({ ...options, queryKey, queryFn: () => transport.call(method, input) });
}
