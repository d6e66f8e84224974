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
}

/** Live SSH connections, one per host profile, and the state the UI shows for each. */
export class Connections {
  private readonly open = new Map<string, SshConnection>();
  private readonly states = new Map<string, ConnectionState>();

  constructor(private readonly opts: ConnectionsOptions) {}

  list(): { hostId: string; state: ConnectionState }[] {
    return [...this.states].map(([hostId, state]) => ({ hostId, state }));
  }

  private setState(hostId: string, state: ConnectionState, error?: unknown): void {
    this.states.set(hostId, state);
    this.opts.emit({
      type: 'connection',
      hostId,
      state,
      ...(error === undefined ? {} : { error: toAppErrorShape(error) }),
    });
  }

  async connect(
    host: HostProfile,
    extra: { passphrase?: string; trust?: HostKeyTrust },
  ): Promise<ConnectResult> {
    const existing = this.open.get(host.id);
    if (existing?.isOpen) return { status: 'connected', hostKey: existing.hostKey };
    this.setState(host.id, 'connecting');
    try {
      const outcome = await connectSsh(
        { ...host, host: host.address },
        {
          knownHostsPath: this.opts.knownHostsPath,
          ...extra,
          ...(this.opts.agentSocket ? { agentSocket: this.opts.agentSocket } : {}),
        },
      );
      if (outcome.kind === 'host-key') {
        this.setState(host.id, 'disconnected');
        return outcome.refusal;
      }
      if (outcome.kind === 'passphrase-required') {
        this.setState(host.id, 'disconnected');
        return { status: 'passphrase-required', keyPath: outcome.keyPath, wrong: outcome.wrong };
      }
      const conn = outcome.connection;
      this.open.set(host.id, conn);
      conn.onClose((err) => {
        if (this.open.get(host.id) !== conn) return;
        this.open.delete(host.id);
        this.setState(host.id, err ? 'failed' : 'disconnected', err);
      });
      this.setState(host.id, 'connected');
      return { status: 'connected', hostKey: outcome.hostKey };
    } catch (err) {
      this.setState(host.id, 'failed', err);
      throw err;
    }
  }

  get(hostId: string): SshConnection {
    const conn = this.open.get(hostId);
    if (!conn?.isOpen) {
      throw new AppError('not-connected', 'Quiesce is not connected to that host.', {
        remedy: 'Connect to the host first.',
      });
    }
    return conn;
  }

  disconnect(hostId: string): void {
    const conn = this.open.get(hostId);
    this.open.delete(hostId);
    conn?.close();
    this.setState(hostId, 'disconnected');
  }

  closeAll(): void {
    for (const id of [...this.open.keys()]) this.disconnect(id);
  }
}
