import { readFile } from 'node:fs/promises';
import ssh2, { type ConnectConfig } from 'ssh2';
import type { HostAuth, HostKey, HostKeyTrust } from '../../../shared/hosts';
import { AppError } from '../app-error';

// ssh2 is CommonJS: Node's ESM loader (the built browser shell) sees only its default export.
const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;
import { algorithmsFor, ServerOffer } from './algorithms';
import { decideHostKey, knownKeyTypesFor, type HostKeyRefusal } from './host-key-gate';
import { explainConnectError } from './ssh-errors';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  auth: HostAuth;
  /** Also offer SHA-1 and CBC algorithms, after the modern ones (the host profile's switch). */
  allowLegacyAlgorithms?: boolean;
}

export interface ConnectOptions {
  knownHostsPath: string;
  trust?: HostKeyTrust;
  passphrase?: string;
  /** ssh-agent socket; defaults to $SSH_AUTH_SOCK. */
  agentSocket?: string;
  readyTimeoutMs?: number;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export type ConnectOutcome =
  | { kind: 'connected'; connection: SshConnection; hostKey: HostKey }
  | { kind: 'host-key'; refusal: HostKeyRefusal }
  | { kind: 'passphrase-required'; keyPath: string; wrong: boolean };

/**
 * One SSH connection to a host, with a channel per command (one round trip each, no new handshake:
 * 25–60 ms vs ~300 ms for a new OpenSSH connection per command; docs/ARCHITECTURE.md,
 * "One SSH connection, a channel per command").
 */
export class SshConnection {
  private closed = false;
  private readonly closeListeners = new Set<(err?: Error) => void>();

  constructor(
    private readonly client: Client,
    readonly hostKey: HostKey,
  ) {
    let lastError: Error | undefined;
    client.on('error', (err) => (lastError = err));
    client.on('close', () => {
      this.closed = true;
      for (const l of this.closeListeners) l(lastError);
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  onClose(listener: (err?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Runs one command line (already quoted by shellCommand) and collects its output. */
  exec(command: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    if (this.closed) {
      return Promise.reject(
        new AppError('not-connected', 'The SSH connection to the host is closed.', {
          remedy: 'Connect to the host again.',
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err) {
          reject(
            new AppError('host-command-failed', 'The host refused to run a command.', {
              cause: err.message,
              remedy: 'Check that the SSH server allows command execution (no ForceCommand).',
            }),
          );
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | null = null;
        let signal: string | null = null;
        const timer =
          opts.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                stream.close();
                reject(
                  new AppError(
                    'host-command-failed',
                    'A command on the host did not finish in time.',
                    {
                      cause: `no answer after ${opts.timeoutMs} ms`,
                      remedy: 'Check that the host is not overloaded and libvirtd answers.',
                    },
                  ),
                );
              }, opts.timeoutMs);
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s ?? null;
        });
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({
            code,
            signal,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errOut).toString('utf8'),
          });
        });
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        else stream.end();
      });
    });
  }

  /**
   * Runs a long-lived command (e.g. `virsh event --loop`) and hands over its stdout line by
   * line. `stop()` closes the channel; `onEnd` fires once however it ended.
   */
  stream(
    command: string,
    onLine: (line: string) => void,
    onEnd: (why: string) => void,
  ): { stop(): void } {
    let stopped = false;
    let channel: { close(): void } | undefined;
    let ended = false;
    const end = (why: string) => {
      if (!ended) {
        ended = true;
        onEnd(why);
      }
    };
    if (this.closed) {
      end('connection closed');
      return { stop: () => undefined };
    }
    this.client.exec(command, (err, stream) => {
      if (err) return end(err.message);
      channel = stream;
      if (stopped) stream.close();
      let buf = '';
      let errText = '';
      stream.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        let at: number;
        while ((at = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, at));
          buf = buf.slice(at + 1);
        }
      });
      stream.stderr.on(
        'data',
        (d: Buffer) => (errText = (errText + d.toString('utf8')).slice(-2000)),
      );
      stream.on('close', () => end(stopped ? 'stopped' : errText.trim() || 'the command ended'));
    });
    return {
      stop: () => {
        stopped = true;
        channel?.close();
      },
    };
  }

  close(): void {
    this.client.end();
  }
}

async function privateKeyFor(
  auth: HostAuth,
  passphrase: string | undefined,
): Promise<{ key?: Buffer; needPassphrase?: { wrong: boolean } }> {
  if (auth.kind !== 'key') return {};
  let key: Buffer;
  try {
    key = await readFile(auth.keyPath);
  } catch (err) {
    throw new AppError('key-file', `The key file ${auth.keyPath} could not be read.`, {
      cause: (err as Error).message,
      remedy: 'Check the path and that this user may read the file.',
    });
  }
  const parsed = utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    if (/passphrase/i.test(parsed.message) || /encrypted/i.test(parsed.message)) {
      return { needPassphrase: { wrong: passphrase !== undefined } };
    }
    if (/bad decrypt|integrity check|Failed to decrypt/i.test(parsed.message)) {
      return { needPassphrase: { wrong: true } };
    }
    throw new AppError('key-file', `The key file ${auth.keyPath} is not a usable private key.`, {
      cause: parsed.message,
      remedy: 'Choose an OpenSSH or PEM private key (not the .pub file).',
    });
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!first?.isPrivateKey()) {
    throw new AppError('key-file', `The key file ${auth.keyPath} holds a public key.`, {
      remedy: 'Choose the private key file (the one without .pub).',
    });
  }
  return { key };
}

function knownHostsUnusable(err: unknown, knownHostsPath: string): AppError {
  return new AppError('connect-failed', 'The known_hosts file could not be used.', {
    cause: (err as Error).message,
    remedy: `Check that ${knownHostsPath} is readable and writable by you.`,
  });
}

/** Connects, verifying the host key against known_hosts before any authentication. */
export async function connectSsh(target: SshTarget, opts: ConnectOptions): Promise<ConnectOutcome> {
  const where = `${target.user}@${target.host}:${target.port}`;
  const { key, needPassphrase } = await privateKeyFor(target.auth, opts.passphrase);
  if (needPassphrase && target.auth.kind === 'key') {
    return {
      kind: 'passphrase-required',
      keyPath: target.auth.keyPath,
      wrong: needPassphrase.wrong,
    };
  }
  const agent =
    target.auth.kind === 'agent' ? (opts.agentSocket ?? process.env.SSH_AUTH_SOCK) : undefined;
  if (target.auth.kind === 'agent' && !agent) {
    throw new AppError('auth-failed', 'No ssh-agent is available to log in with.', {
      remedy: 'Start ssh-agent and add your key (ssh-add), or choose a key file for this host.',
    });
  }

  let knownTypes: string[];
  try {
    knownTypes = await knownKeyTypesFor(opts.knownHostsPath, target.host, target.port);
  } catch (err) {
    throw knownHostsUnusable(err, opts.knownHostsPath);
  }
  const offer = new ServerOffer();

  const client = new Client();
  let refusal: HostKeyRefusal | undefined;
  let accepted: HostKey | undefined;
  let gateError: unknown;
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: opts.readyTimeoutMs ?? 20_000,
    // ssh2 has keepalive off by default, and a dead link would then go unnoticed.
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    ...(key ? { privateKey: key, passphrase: opts.passphrase } : {}),
    ...(agent ? { agent } : {}),
    algorithms: algorithmsFor({
      knownTypes,
      allowLegacy: target.allowLegacyAlgorithms === true,
    }),
    // Only to learn what the server offers when no algorithm matches (ssh-errors.ts).
    debug: offer.onDebug,
    // ssh2 accepts any host key without a verifier: this is the only gate.
    hostVerifier: (keyBlob: Buffer, verify: (ok: boolean) => void) => {
      decideHostKey(keyBlob, target.host, target.port, opts.knownHostsPath, opts.trust).then(
        (d) => {
          if (d.accept) accepted = d.hostKey;
          else refusal = d.refusal;
          verify(d.accept);
        },
        (err) => {
          gateError = err;
          verify(false);
        },
      );
    },
  };

  return new Promise<ConnectOutcome>((resolve, reject) => {
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve({
        kind: 'connected',
        connection: new SshConnection(client, accepted!),
        hostKey: accepted!,
      });
    });
    client.once('error', (err) => {
      if (settled) return;
      settled = true;
      client.end();
      if (refusal) resolve({ kind: 'host-key', refusal });
      else if (gateError) reject(knownHostsUnusable(gateError, opts.knownHostsPath));
      else reject(explainConnectError(err, where, offer.offered));
    });
    client.connect(config);
  });
}
