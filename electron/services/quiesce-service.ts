import type { AppEvent } from '../../shared/events';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import { Connections } from './hosts/connections';
import { HostStore } from './hosts/host-store';
import { listDomainsCommand, parseListDomains } from './virsh/list-domains';
import { explainVirshFailure } from './virsh/virsh-errors';

export interface ServiceOptions {
  /** The app's data folder: host profiles live here. */
  dataDir: string;
  /** The known_hosts file host keys are checked against and saved to. */
  knownHostsPath: string;
  emit: (event: AppEvent) => void;
  agentSocket?: string;
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
  });

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
      const host = await store.get(hostId);
      const result = await connections.get(hostId).exec(listDomainsCommand(host.libvirtUri), {
        timeoutMs: 60_000,
      });
      if (result.code !== 0) throw explainVirshFailure(result.stderr, host.libvirtUri, result.code);
      return { domains: parseListDomains(result.stdout), fetchedAt: new Date().toISOString() };
    },
  };
  return { handlers, dispose: () => connections.closeAll() };
}
