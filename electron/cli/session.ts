import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import type { Domain } from '../../shared/domains';
import type { AppEvent } from '../../shared/events';
import type { HostProfile } from '../../shared/hosts';
import { resolveAppPaths } from '../services/config/paths';
import { SettingsStore } from '../services/config/settings-store';
import { createDispatcher, type Dispatch } from '../services/dispatch';
import { createQuiesceService } from '../services/quiesce-service';
import { CliError } from './cli-error';
import { exitForConnect } from './exit-codes';
import { hostKeyRefusalText } from './format';
import { resolveDomain, resolveHost } from './resolve';

/**
 * The app's services for one command: the same handlers the Electron and browser shells serve,
 * on the app's data folder, settings and known_hosts, called through the same dispatcher (so every
 * input is validated by the contract). Events go to whoever listens (progress on stderr).
 */
export class CliSession {
  private readonly listeners = new Set<(e: AppEvent) => void>();
  private readonly dispatch: Dispatch;
  private readonly dispose: () => void;

  private constructor(
    readonly paths: { configDir: string; dataDir: string; knownHostsPath: string },
    settings: SettingsStore,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    const service = createQuiesceService({
      dataDir: paths.dataDir,
      knownHostsPath: paths.knownHostsPath,
      settings,
      emit: (e) => {
        for (const l of this.listeners) l(e);
      },
    });
    this.dispatch = createDispatcher(service.handlers);
    this.dispose = service.dispose;
  }

  /** The app's folders, as its shells resolve them (a damaged settings file counts as none). */
  static async open(env: NodeJS.ProcessEnv): Promise<CliSession> {
    const { configDir, dataDir, knownHostsPath } = await resolveAppPaths(env);
    return new CliSession(
      { configDir, dataDir, knownHostsPath },
      new SettingsStore(configDir),
      env,
    );
  }

  onEvent(listener: (e: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One contract method; a failure becomes a CliError with its exit code. */
  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const r = await this.dispatch(method, input);
    if (!r.ok) throw CliError.fromService(r.error);
    return r.value as MethodOutput<M>;
  }

  async host(ref: string): Promise<HostProfile> {
    return resolveHost(await this.call('hosts.list', {}), ref);
  }

  /**
   * Connects to a saved host, keys checked against known_hosts as the app does. An unknown,
   * changed or revoked key stops here with its fingerprint (never accepted without the admin);
   * `trust` is the admin's explicit acceptance of one fingerprint (quiesce trust).
   */
  async connect(
    ref: string,
    trust?: { fingerprint: string; save: boolean },
  ): Promise<{ host: HostProfile; fingerprint: string }> {
    const host = await this.host(ref);
    const passphrase = this.env.QUIESCE_KEY_PASSPHRASE;
    const r = await this.call('hosts.connect', {
      hostId: host.id,
      ...(passphrase ? { passphrase } : {}),
      ...(trust ? { trust } : {}),
    });
    if (r.status !== 'connected')
      throw new CliError(exitForConnect(r), hostKeyRefusalText(r, host), r);
    return { host, fingerprint: r.hostKey.fingerprint };
  }

  /**
   * A domain by name or UUID → its UUID (what the services address), looked up in the host's
   * inventory either way, so a UUID no domain has is "not found" before anything runs.
   */
  async domain(host: HostProfile, ref: string): Promise<Domain> {
    const { domains } = await this.call('domains.list', { hostId: host.id });
    const { uuid, name, state } = resolveDomain(domains, ref, host.name);
    return { uuid, name, state };
  }

  close(): void {
    this.listeners.clear();
    this.dispose();
  }
}
