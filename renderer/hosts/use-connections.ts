import { useQuery, type QueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../shared/contract';
import type { AppErrorShape } from '../../shared/errors';
import type { ConnectionState } from '../../shared/hosts';
import { queryKeys } from '../cache/query-keys';
import { useCallMutation } from '../cache/use-call-query';
import { useTransport } from '../transport/transport-context';

/** What the UI knows about one host's link: its state, and why it failed if it did. */
export interface ConnectionInfo {
  state: ConnectionState;
  error?: AppErrorShape;
}
export type ConnectionMap = Record<string, ConnectionInfo>;

/**
 * Connection state per host id. Seeded once from hosts.status; after that the `connection`
 * events keep it current (see applyConnectionEvent), so it never needs to be refetched.
 */
export function useConnections() {
  const transport = useTransport();
  return useQuery({
    queryKey: queryKeys.connections,
    queryFn: async (): Promise<ConnectionMap> => {
      const list = await transport.call('hosts.status', {});
      return Object.fromEntries(list.map((s) => [s.hostId, { state: s.state }]));
    },
    staleTime: Infinity,
  });
}

/** A host main has never heard of is simply disconnected. */
export function useConnection(hostId: string): ConnectionInfo {
  const { data } = useConnections();
  return data?.[hostId] ?? { state: 'disconnected' };
}

/**
 * Records a host's new connection state in the cache. A host that just connected gets a fresh
 * domain list; one that went away loses its list, so a reconnect never flashes stale domains.
 */
export function applyConnectionEvent(
  client: QueryClient,
  hostId: string,
  info: ConnectionInfo,
): void {
  client.setQueryData<ConnectionMap>(queryKeys.connections, (prev = {}) => ({
    ...prev,
    [hostId]: info,
  }));
  if (info.state === 'connected') {
    void client.invalidateQueries({ queryKey: queryKeys.domains(hostId) });
  } else if (info.state !== 'connecting' && info.state !== 'reconnecting') {
    // A brief drop keeps the last inventory on screen; the pill says it is being re-established.
    client.removeQueries({ queryKey: queryKeys.domains(hostId) });
  }
}

/** hosts.connect. Its answer may be a host-key or passphrase question, not only "connected". */
export function useConnectHost() {
  return useCallMutation(
    'hosts.connect',
    (input: MethodInput<'hosts.connect'>) => input,
    (client, result, input) => {
      // The event says the same; writing it here too keeps the UI right if an event was missed
      // (e.g. the WebSocket reconnected in between).
      if (result.status === 'connected') {
        applyConnectionEvent(client, input.hostId, { state: 'connected' });
      }
    },
  );
}

export function useDisconnectHost() {
  return useCallMutation(
    'hosts.disconnect',
    (hostId: string) => ({ hostId }),
    (client, _out, hostId) => applyConnectionEvent(client, hostId, { state: 'disconnected' }),
  );
}
