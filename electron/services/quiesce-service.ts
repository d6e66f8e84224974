import type { AppEvent } from '../../shared/events';
import type { MethodName, MethodOutput, MethodParsedInput } from '../../shared/contract';
import { AppError } from './app-error';
import { Connections } from './hosts/connections';
import { HostStore } from './hosts/host-store';
import { followDomainEvents } from './inventory/event-follower';
import { runDoctor } from './inventory/doctor';
import { addAgentChannel, thawGuest } from './inventory/guest-actions';
import { fetchInventory } from './inventory/inventory';
import { DomainDefaults } from './snapshot/domain-defaults';
import { fetchHistory } from './history/history';
import {
  deleteSnapshot,
  forgetMergedSnapshots,
  mergeChain,
  revertSnapshot,
} from './history/history-actions';
import { domainName } from './virsh/domain-name';
import { Operations } from './snapshot/operations';
import { revertHandlers } from './revert/revert-handlers';
import { RestoreTests } from './revert/restore-tests';
import { RestoreTestPolicy, waitRunnerGone } from './revert/restore-test-policy';
import { exportHandlers } from './export/export-handlers';
import { exportRestoreOriginalHandlers } from './export/export-restore-original-service';
import { scheduleHandlers } from './schedule/schedule-handlers';
import { hostname, userInfo } from 'node:os';
import { settingsHandlers } from './config/settings-handlers';
import { sshConfigHandlers } from './ssh/ssh-config-handlers';
import { SettingsStore } from './config/settings-store';
import { PassphraseVault, type Keychain } from './secrets/passphrase-vault';
import { connectRemembering } from './secrets/connect-remembering';

export interface ServiceOptions {
  /** The app's data folder: host profiles live here. */
  dataDir: string;
  /** The known_hosts file host keys are checked against and saved to. */
  knownHostsPath: string;
  emit: (event: AppEvent) => void;
  agentSocket?: string;
  /** Seconds an agent may take before it counts as not responding (default 3). */
  agentTimeoutS?: number;
  /** Bound on every agent call inside a snapshot operation, in seconds (default 5). */
  operationAgentTimeoutS?: number;
  /** Test-only fault injection: the runner holds the guest frozen this long before the cut. */
  holdFrozenMs?: number;
  /** Test-only: a restore from an export copies at this many bytes/s (lab tests act on it). */
  restoreCopyRate?: number;
  /** The settings file (default: settings.json in the data folder). */
  settings?: SettingsStore;
  /** The OS keychain that may seal remembered key passphrases; absent in the browser shell. */
  keychain?: Keychain;
}

/** Handlers receive the input after validation, i.e. with defaults applied. */
export type Handlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>>;
};

/**
 * Quiesce's services behind the contract, with no Electron in sight: the Electron shell and the
 * browser shell both serve exactly these handlers.
 */
export function createQuiesceService(opts: ServiceOptions): {
  handlers: Handlers;
  dispose: () => void;
} {
  const store = new HostStore(opts.dataDir);
  const settings = opts.settings ?? new SettingsStore(opts.dataDir);
  // A domain with nothing remembered starts from the admin's default policy and maximum freeze.
  const defaults = new DomainDefaults(opts.dataDir, async () => (await settings.read()).snapshot);
  // A domain's "test restore after each snapshot": fed every snapshot event, it starts the same
  // restore test as the history's button once a watched snapshot has ended well.
  const restoreTests = new RestoreTests({ agentTimeoutS: opts.operationAgentTimeoutS ?? 5 });
  const policyTests = new RestoreTestPolicy({
    emit: opts.emit,
    start: async (hostId, uuid, name) => {
      const { host, conn } = await target(hostId);
      return restoreTests.start(host, conn, uuid, name);
    },
    get: async (hostId, opId) => {
      const { host, conn } = await target(hostId);
      return restoreTests.get(host, conn, opId);
    },
    runnerGone: async (hostId, pid) => waitRunnerGone((await target(hostId)).conn, pid),
    isConnected: (hostId) => {
      try {
        return connections.get(hostId).isOpen;
      } catch {
        return false; // not connected: the test waits for whileConnected below
      }
    },
  });
  const operations = new Operations({
    emit: (event) => {
      opts.emit(event);
      policyTests.onEvent(event);
    },
    agentTimeoutS: opts.operationAgentTimeoutS ?? 5,
    workstation: hostname(),
    user: userInfo().username,
    ...(opts.holdFrozenMs ? { holdFrozenMs: opts.holdFrozenMs } : {}),
  });
  const connections = new Connections({
    knownHostsPath: opts.knownHostsPath,
    emit: opts.emit,
    ...(opts.agentSocket ? { agentSocket: opts.agentSocket } : {}),
    whileConnected: (host, conn) => {
      const stopEvents = followDomainEvents(conn, host.libvirtUri, (e) =>
        opts.emit({ type: 'domains-changed', hostId: host.id, ...e }),
      );
      // Operations that ran on while we were away (dropped link, app restart) are picked up.
      operations.reattach(host, conn).catch(() => undefined);
      policyTests.onConnected(host.id);
      return () => {
        stopEvents();
        operations.stopFollowing(host.id);
      };
    },
  });
  const vault = new PassphraseVault(opts.dataDir, opts.keychain);
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
    'hosts.connect': async ({ hostId, passphrase, trust, rememberPassphrase }) => {
      const host = await store.get(hostId);
      return connectRemembering(host, vault, { passphrase, trust, rememberPassphrase }, (creds) =>
        connections.connect(host, creds),
      );
    },
    'secrets.status': () => vault.status(),
    'secrets.forget': async ({ keyPath }) => ({ forgotten: await vault.forget(keyPath) }),
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
    'snapshot.start': async ({
      hostId,
      uuid,
      name,
      description,
      policy,
      maxFreezeS,
      remember,
      memory,
      testRestore,
    }) => {
      const { host, conn } = await target(hostId);
      if (remember) await defaults.set(hostId, uuid, { policy, maxFreezeS, testRestore });
      // Decided before the start: its first journal lines may arrive right after it.
      const testAfter = testRestore ?? (await defaults.get(hostId, uuid)).testRestore;
      const started = await operations.start(host, conn, {
        operation: 'snapshot',
        uuid,
        name,
        description,
        policy,
        maxFreezeS,
        ...(memory ? { memory } : {}),
      });
      if (testAfter) policyTests.watch(hostId, started.opId);
      return started;
    },
    'doctor.testFreeze': async ({ hostId, uuid, maxFreezeS }) => {
      const { host, conn } = await target(hostId);
      return operations.start(host, conn, {
        operation: 'test-freeze',
        uuid,
        name: 'test-freeze',
        description: '',
        policy: 'require',
        maxFreezeS: maxFreezeS ?? (await settings.read()).snapshot.maxFreezeS,
      });
    },
    'snapshot.get': async ({ hostId, opId }) => {
      const conn = (() => {
        try {
          return connections.get(hostId);
        } catch {
          return undefined; // not connected: the events so far still answer
        }
      })();
      const found = await operations.get(opId, conn);
      if (!found) {
        throw new AppError('not-found', 'Quiesce does not follow that operation in this session.', {
          remedy: 'The host’s operation list shows every operation with its outcome.',
        });
      }
      return found;
    },
    'snapshot.defaults': ({ hostId, uuid }) => defaults.get(hostId, uuid),
    'snapshot.setDefaults': async ({ hostId, uuid, policy, maxFreezeS, testRestore }) => {
      await defaults.set(hostId, uuid, { policy, maxFreezeS, testRestore });
      return {};
    },
    'history.list': async ({ hostId, uuid }) => {
      const { host, conn, uri } = await target(hostId);
      return fetchHistory(conn, uri, uuid, host.hostDir);
    },
    'history.delete': async ({ hostId, uuid, name }) => {
      const { host, conn, uri } = await target(hostId);
      const { abilities } = await fetchHistory(conn, uri, uuid, host.hostDir);
      await deleteSnapshot({ conn, uri, uuid, name }, abilities);
      return {};
    },
    'history.revert': async ({ hostId, uuid, name }) => {
      const { host, conn, uri } = await target(hostId);
      const { abilities } = await fetchHistory(conn, uri, uuid, host.hostDir);
      const displayName = (await domainName(conn, uri, uuid)) ?? uuid;
      await revertSnapshot({ conn, uri, uuid, name }, displayName, abilities);
      return {};
    },
    'history.merge': async ({ hostId, uuid }) => {
      const { host, conn, uri } = await target(hostId);
      const before = await fetchHistory(conn, uri, uuid, host.hostDir);
      for (const chain of before.chains) {
        if (chain.layers.length > 1)
          await mergeChain(conn, uri, hostId, uuid, chain.target, opts.emit);
      }
      // The snapshots whose overlays were folded away are only metadata now: forget them.
      const after = await fetchHistory(conn, uri, uuid, host.hostDir);
      return { forgotten: await forgetMergedSnapshots(conn, uri, uuid, after) };
    },
    'operations.list': async ({ hostId }) => {
      const { host, conn } = await target(hostId);
      return { operations: await operations.list(host, conn) };
    },
    ...sshConfigHandlers(),
    ...settingsHandlers(settings, {
      dataDir: opts.dataDir,
      knownHostsPath: opts.knownHostsPath,
    }),
    ...scheduleHandlers(target, {
      agentTimeoutS: opts.operationAgentTimeoutS ?? 5,
      emit: opts.emit,
    }),
    ...revertHandlers(target, {
      agentTimeoutS: opts.operationAgentTimeoutS ?? 5,
      workstation: hostname(),
      user: userInfo().username,
    }),
    ...exportHandlers(target, {
      agentTimeoutS: opts.operationAgentTimeoutS ?? 5,
      workstation: hostname(),
      user: userInfo().username,
      maxFreezeS: async () => (await settings.read()).snapshot.maxFreezeS,
      emit: opts.emit,
      ...(opts.restoreCopyRate ? { restoreCopyRate: opts.restoreCopyRate } : {}),
    }),
    ...exportRestoreOriginalHandlers(target, {
      agentTimeoutS: opts.operationAgentTimeoutS ?? 5,
      workstation: hostname(),
      user: userInfo().username,
      emit: opts.emit,
      ...(opts.restoreCopyRate ? { restoreCopyRate: opts.restoreCopyRate } : {}),
    }),
  };
  return { handlers, dispose: () => connections.closeAll() };
}
