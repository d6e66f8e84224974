import { useMutation } from '@tanstack/react-query';
import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';
import { useTransport } from '../transport/transport-context';

/**
 * The agent doctor's report for one domain. Always run afresh when the doctor opens (the point
 * is to see the guest as it is now), and forgotten when it closes.
 */
export function useDoctor(hostId: string, uuid: string) {
  const options = { staleTime: 0, gcTime: 0, retry: false };
  return useCallQuery(queryKeys.doctor(hostId, uuid), 'doctor.run', { hostId, uuid }, options);
}

/** doctor.addChannel: changes the persistent definition only; the guest needs a restart. */
export function useAddChannel(hostId: string, uuid: string) {
  const transport = useTransport();
  return useMutation({
    mutationFn: () => transport.call('doctor.addChannel', { hostId, uuid }),
  });
}
