import {
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
  type QueryKey,
  type UseQueryOptions,
} from '@tanstack/react-query';
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

/**
 * A mutation that is one call to main: the contract method, how the mutation's argument becomes
 * the method's input, and what main's answer changes in the cache.
 */
export function useCallMutation<M extends MethodName, V>(
  method: M,
  toInput: (variables: V) => MethodInput<M>,
  onSuccess: (client: QueryClient, output: MethodOutput<M>, variables: V) => void,
) {
  const transport = useTransport();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => transport.call(method, toInput(variables)),
    onSuccess: (output, variables) => onSuccess(client, output, variables),
  });
}
