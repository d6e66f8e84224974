import type { AppEvent } from '../../shared/events';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import { Connections } from './hosts/connections';
import { HostStore } from './hosts/host-store';
import { followDomainEvents } from './inventory/event-follower';
import { runDoctor } from './inventory/doctor';
import { addAgentChannel, thawGuest } from './inventory/guest-actions';
import { fetchInventory } from './inventory/inventory';

export interface ServiceOptions {
  /** The app's data folder: host profiles live here. */
  dataDir: string;
  /** The known_hosts file host keys are checked against and saved to. */
  knownHostsPath: string;
  emit: (event: AppEvent) => void;
  agentSocket?: string;
  /** Seconds an agent may take before it counts as not responding (default 3). */
  agentTimeoutS?: number;
}

export type Handlers = {
  [M in MethodName]: (input: MethodOutputOfInput<M>) => Promise<MethodOutput<M>>;
};
/** Handlers receive the input after validation, i.e. with defaults applied. */
type MethodOutputOfInput<M extends MethodName> = Exclude<MethodInput<M>, undefined>;

/**
 * Quiesce's services behind the contract, with no Electron in sight: the Electron shell and the
 * browser shell both serve exactly these handlers.
 */
export function createQuiesceService(opts: ServiceOptions): {
  handlers: Handlers;
  dispose: () => void;
} {
  const store = new HostStore(opts.dataDir);
  const connections = new Connections({
    knownHostsPath: opts.knownHostsPath,
    emit: opts.emit,
    ...(opts.agentSocket ? { agentSocket: opts.agentSocket } : {}),
    whileConnected: (host, conn) =>
      followDomainEvents(conn, host.libvirtUri, (e) =>
        opts.emit({ type: 'domains-changed', hostId: host.id, ...e }),
      ),
  });
  const agentTimeoutS = opts.agentTimeoutS ?? 3;
  /** The connection and libvirt URI for a host; fails with "connect first" when not connected. */
  const target = async (hostId: string) => {
    const host = await store.get(hostId);
    return { host, conn: connections.get(hostId), uri: host.libvirtUri };
  };

  const handlers: Handlers = {
    'hosts.list': () => store.list(),
    'hosts.save': async (input) => {
      const saved = await store.save(input);
      // A changed address or user must not keep using the old connection.
      connections.disconnect(saved.id);
      return saved;
    },
    'hosts.remove': async ({ hostId }) => {
      connections.forget(hostId);
      await store.remove(hostId);
      return {};
    },
    'hosts.connect': async ({ hostId, passphrase, trust }) => {
      const host = await store.get(hostId);
      return connections.connect(host, {
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(trust === undefined ? {} : { trust }),
      });
    },
    'hosts.disconnect': async ({ hostId }) => {
      connections.disconnect(hostId);
      return {};
    },
    'hosts.status': async () => connections.list(),
    'domains.list': async ({ hostId }) => {
      const { conn, uri } = await target(hostId);
      return fetchInventory(conn, uri, { agentTimeoutS });
    },
    'domains.thaw': async ({ hostId, uuid }) => {
      const { conn, uri } = await target(hostId);
      return thawGuest(conn, uri, uuid);
    },
    'doctor.run': async ({ hostId, uuid }) => {
      const { conn, uri } = await target(hostId);
      return runDoctor(conn, uri, uuid, agentTimeoutS);
    },
    'doctor.addChannel': async ({ hostId, uuid }) => {
      const { conn, uri } = await target(hostId);
      await addAgentChannel(conn, uri, uuid);
      return { restartNeeded: true };
    },
  };
  return { handlers, dispose: () => connections.closeAll() };
}
