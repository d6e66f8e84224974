import type { AppEvent } from '../../../shared/events';
import type {
  ConnectResult,
  ConnectionState,
  HostKeyTrust,
  HostProfile,
} from '../../../shared/hosts';
import { AppError, toAppErrorShape } from '../app-error';
import { connectSsh, type SshConnection } from '../ssh/ssh-connection';

export interface ConnectionsOptions {
  knownHostsPath: string;
  emit: (event: AppEvent) => void;
  agentSocket?: string;
  /** Runs while a host is connected (e.g. following its events); returns how to stop it. */
  whileConnected?: (host: HostProfile, conn: SshConnection) => () => void;
  /** Delays between reconnect attempts after a drop; the last one repeats. */
  backoffMs?: readonly number[];
}

interface Credentials {
  passphrase?: string;
  /** A key accepted "once": good for reconnects in this session, never written down. */
  trust?: HostKeyTrust;
}

interface Entry {
  host: HostProfile;
  state: ConnectionState;
  conn?: SshConnection;
  creds: Credentials;
  stopWhileConnected?: () => void;
  retryTimer?: ReturnType<typeof setTimeout>;
  attempt: number;
}

const DEFAULT_BACKOFF = [1000, 2000, 4000, 8000, 15000, 30000];

/**
 * Live SSH connections, one per host profile, and the state the UI shows for each. A link that
 * drops is retried with backoff using what is kept in memory (never on disk); a host whose key
 * changed in between is not reconnected.
 */
export class Connections {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: ConnectionsOptions) {}

  list(): { hostId: string; state: ConnectionState }[] {
    return [...this.entries].map(([hostId, e]) => ({ hostId, state: e.state }));
  }

  private setState(e: Entry, state: ConnectionState, error?: unknown): void {
    e.state = state;
    this.opts.emit({
      type: 'connection',
      hostId: e.host.id,
      state,
      ...(error === undefined ? {} : { error: toAppErrorShape(error) }),
    });
  }

  private entry(host: HostProfile): Entry {
    let e = this.entries.get(host.id);
    if (!e) {
      e = { host, state: 'disconnected', creds: {}, attempt: 0 };
      this.entries.set(host.id, e);
    }
    e.host = host;
    return e;
  }

  async connect(host: HostProfile, extra: Credentials): Promise<ConnectResult> {
    const e = this.entry(host);
    if (e.conn?.isOpen) return { status: 'connected', hostKey: e.conn.hostKey };
    this.cancelRetry(e);
    this.setState(e, 'connecting');
    try {
      const result = await this.open(e, { ...e.creds, ...extra });
      if (result.status !== 'connected') this.setState(e, 'disconnected');
      return result;
    } catch (err) {
      this.setState(e, 'failed', err);
      throw err;
    }
  }

  /** One connect attempt with these credentials; on success they are kept for reconnects. */
  private async open(e: Entry, creds: Credentials): Promise<ConnectResult> {
    const host = e.host;
    const outcome = await connectSsh(
      { ...host, host: host.address },
      {
        knownHostsPath: this.opts.knownHostsPath,
        ...creds,
        ...(this.opts.agentSocket ? { agentSocket: this.opts.agentSocket } : {}),
      },
    );
    if (outcome.kind === 'host-key') return outcome.refusal;
    if (outcome.kind === 'passphrase-required') {
      return { status: 'passphrase-required', keyPath: outcome.keyPath, wrong: outcome.wrong };
    }
    const conn = outcome.connection;
    e.conn = conn;
    e.attempt = 0;
    // Keep what worked, so a dropped link can come back without asking again.
    e.creds = {
      ...(creds.passphrase === undefined ? {} : { passphrase: creds.passphrase }),
      ...(creds.trust ? { trust: { fingerprint: outcome.hostKey.fingerprint, save: false } } : {}),
    };
    conn.onClose((err) => this.dropped(e, conn, err));
    this.setState(e, 'connected');
    e.stopWhileConnected = this.opts.whileConnected?.(host, conn);
    return { status: 'connected', hostKey: outcome.hostKey };
  }

  private dropped(e: Entry, conn: SshConnection, err?: Error): void {
    if (e.conn !== conn) return; // closed on purpose, or replaced
    e.conn = undefined;
    e.stopWhileConnected?.();
    e.stopWhileConnected = undefined;
    this.setState(
      e,
      'reconnecting',
      new AppError('connect-failed', `The link to ${e.host.name} dropped; reconnecting.`, {
        ...(err ? { cause: err.message } : {}),
        remedy:
          'Quiesce retries on its own; check the network or the host if it does not come back.',
      }),
    );
    this.scheduleRetry(e);
  }

  private scheduleRetry(e: Entry): void {
    const backoff = this.opts.backoffMs ?? DEFAULT_BACKOFF;
    const delay = backoff[Math.min(e.attempt, backoff.length - 1)]!;
    e.attempt++;
    e.retryTimer = setTimeout(() => {
      e.retryTimer = undefined;
      this.open(e, e.creds).then(
        (result) => {
          if (result.status === 'connected') return;
          // The host now offers a key we have not accepted (or wants a passphrase): stop, and
          // let the admin decide through a normal connect.
          this.setState(
            e,
            'failed',
            new AppError(
              'connect-failed',
              `Reconnecting to ${e.host.name} stopped: ${describe(result)}.`,
              {
                remedy: 'Connect again to see the details and decide.',
              },
            ),
          );
        },
        (err: unknown) => {
          if (e.state !== 'reconnecting') return;
          this.setState(e, 'reconnecting', err);
          this.scheduleRetry(e);
        },
      );
    }, delay);
  }

  private cancelRetry(e: Entry): void {
    if (e.retryTimer) clearTimeout(e.retryTimer);
    e.retryTimer = undefined;
  }

  get(hostId: string): SshConnection {
    const conn = this.entries.get(hostId)?.conn;
    if (!conn?.isOpen) {
      throw new AppError('not-connected', 'Quiesce is not connected to that host.', {
        remedy: 'Connect to the host first.',
      });
    }
    return conn;
  }

  disconnect(hostId: string): void {
    const e = this.entries.get(hostId);
    if (!e) return;
    this.cancelRetry(e);
    const conn = e.conn;
    e.conn = undefined;
    e.stopWhileConnected?.();
    e.stopWhileConnected = undefined;
    conn?.close();
    e.creds = {};
    this.setState(e, 'disconnected');
  }

  /** Forgets a host entirely (it was removed). */
  forget(hostId: string): void {
    this.disconnect(hostId);
    this.entries.delete(hostId);
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.disconnect(id);
  }
}

function describe(r: ConnectResult): string {
  switch (r.status) {
    case 'host-key-changed':
      return 'the host key changed';
    case 'host-key-revoked':
      return 'the host key is revoked';
    case 'host-key-unknown':
      return 'the host offers a key that was not accepted';
    case 'passphrase-required':
      return 'the key needs its passphrase';
    default:
      return r.status;
  }
}
