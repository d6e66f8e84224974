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
import { sha256Fingerprint } from './fingerprint';
import { jumpHopsFor, type JumpHopTarget } from './jump-hops';
import { localSshConfig } from './ssh-config-files';
import { resolveHost, type SshConfigSources } from './ssh-config';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  auth: HostAuth;
  /** Also offer SHA-1 and CBC algorithms, after the modern ones (the host profile's switch). */
  allowLegacyAlgorithms?: boolean;
  /**
   * The ~/.ssh/config Host alias the profile came from: its ProxyJump hops are followed and its
   * IdentitiesOnly decides whether ssh-agent is also offered with a key file.
   */
  sshConfigAlias?: string;
}

export interface ConnectOptions {
  knownHostsPath: string;
  trust?: HostKeyTrust;
  passphrase?: string;
  /** ssh-agent socket; defaults to $SSH_AUTH_SOCK (Pageant on Windows). */
  agentSocket?: string;
  readyTimeoutMs?: number;
  /** Where ~/.ssh/config is read; defaults to the local user's own. */
  sshConfig?: SshConfigSources;
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
    /** Jump-host connections this one runs through, first hop first; closed with it. */
    private readonly hops: readonly { end(): void }[] = [],
  ) {
    let lastError: Error | undefined;
    client.on('error', (err) => (lastError = err));
    client.on('close', () => {
      this.closed = true;
      for (const hop of [...hops].reverse()) hop.end();
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

  /**
   * Runs one command line (already quoted by shellCommand) and collects its output; `onLine`
   * also gets each line of stdout as it arrives (a long command's progress).
   */
  exec(
    command: string,
    opts: { stdin?: string; timeoutMs?: number; onLine?: (line: string) => void } = {},
  ): Promise<ExecResult> {
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
        let partial = '';
        stream.on('data', (d: Buffer) => {
          out.push(d);
          if (!opts.onLine) return;
          partial += d.toString('utf8');
          let at: number;
          while ((at = partial.indexOf('\n')) >= 0) {
            opts.onLine(partial.slice(0, at));
            partial = partial.slice(at + 1);
          }
        });
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

  /** An SFTP session on this connection (export copies); the caller ends it with `end()`. */
  sftp(): Promise<ssh2.SFTPWrapper> {
    if (this.closed) {
      return Promise.reject(
        new AppError('not-connected', 'The SSH connection to the host is closed.', {
          remedy: 'Connect to the host again.',
        }),
      );
    }
    return new Promise((resolve, reject) =>
      this.client.sftp((err, sftp) =>
        err
          ? reject(
              new AppError('host-command-failed', 'The host refused an SFTP session.', {
                cause: err.message,
                remedy: 'Check that the host’s sshd allows the sftp subsystem.',
              }),
            )
          : resolve(sftp),
      ),
    );
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

/** The ssh-agent to offer: the given socket, else $SSH_AUTH_SOCK, else Pageant on Windows. */
export function defaultAgent(
  given: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  // ssh2 talks to Pageant by the name 'pageant' (untested here: no Windows in the lab).
  return given ?? env.SSH_AUTH_SOCK ?? (platform === 'win32' ? 'pageant' : undefined);
}

type HopOutcome =
  | { kind: 'connected'; client: Client; hostKey: HostKey }
  | { kind: 'host-key'; refusal: HostKeyRefusal };

interface HopSpec {
  host: string;
  port: number;
  user: string;
  privateKey?: Buffer;
  passphrase?: string;
  agent?: string;
  /** Offer the agent before the key file (as ssh does), unless IdentitiesOnly. */
  agentFirst: boolean;
  allowLegacy: boolean;
  /** This connection carries the next hop's SSH traffic in a forwarded channel. */
  carriesHop?: boolean;
  /** A channel through the previous hop, instead of a TCP connection. */
  sock?: NodeJS.ReadableStream & NodeJS.WritableStream;
}

/**
 * A jump host's link prefers AES-GCM to ChaCha20-Poly1305: with ssh2's JavaScript ChaCha20 (no
 * native binding here) the SSH traffic forwarded inside it reached the target garbled ("incomplete
 * message" in sshd's log, the handshake then timing out), measured against OpenSSH 9.2.
 */
function chachaLast(a: ReturnType<typeof algorithmsFor>): ReturnType<typeof algorithmsFor> {
  const cipher = a.cipher as string[];
  const isChacha = (c: string) => c.startsWith('chacha20');
  return {
    ...a,
    cipher: [...cipher.filter((c) => !isChacha(c)), ...cipher.filter(isChacha)],
  } as ReturnType<typeof algorithmsFor>;
}

/**
 * Jump-host keys the admin accepted "once" (not saved), by host:port, for this run only. A connect
 * carries one trust decision, so without this an unknown hop key accepted once would be asked
 * about again as soon as the target's own unknown key is (and at every reconnect).
 */
const hopKeysAcceptedOnce = new Map<string, string>();

/** One SSH handshake behind the host-key gate (the same for a jump host as for the target). */
async function openOne(spec: HopSpec, opts: ConnectOptions): Promise<HopOutcome> {
  const where = `${spec.user}@${spec.host}:${spec.port}`;
  let knownTypes: string[];
  try {
    knownTypes = await knownKeyTypesFor(opts.knownHostsPath, spec.host, spec.port);
  } catch (err) {
    throw knownHostsUnusable(err, opts.knownHostsPath);
  }
  const offer = new ServerOffer();

  const client = new Client();
  let refusal: HostKeyRefusal | undefined;
  let accepted: HostKey | undefined;
  let gateError: unknown;
  const methods = spec.agentFirst ? ['agent', 'publickey'] : ['publickey', 'agent'];
  const config: ConnectConfig = {
    host: spec.host,
    port: spec.port,
    username: spec.user,
    ...(spec.sock ? { sock: spec.sock as unknown as ConnectConfig['sock'] } : {}),
    readyTimeout: opts.readyTimeoutMs ?? 20_000,
    // ssh2 has keepalive off by default, and a dead link would then go unnoticed.
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    ...(spec.privateKey ? { privateKey: spec.privateKey, passphrase: spec.passphrase } : {}),
    ...(spec.agent ? { agent: spec.agent } : {}),
    authHandler: methods.filter((m) =>
      m === 'agent' ? spec.agent !== undefined : spec.privateKey !== undefined,
    ) as ConnectConfig['authHandler'],
    algorithms: spec.carriesHop
      ? chachaLast(algorithmsFor({ knownTypes, allowLegacy: spec.allowLegacy }))
      : algorithmsFor({ knownTypes, allowLegacy: spec.allowLegacy }),
    // Only to learn what the server offers when no algorithm matches (ssh-errors.ts).
    debug: offer.onDebug,
    // ssh2 accepts any host key without a verifier: this is the only gate.
    hostVerifier: (keyBlob: Buffer, verify: (ok: boolean) => void) => {
      const hop = `${spec.host}:${spec.port}`;
      const onceBefore = spec.carriesHop ? hopKeysAcceptedOnce.get(hop) : undefined;
      const trust =
        onceBefore !== undefined && onceBefore === sha256Fingerprint(keyBlob)
          ? { fingerprint: onceBefore, save: false }
          : opts.trust;
      decideHostKey(keyBlob, spec.host, spec.port, opts.knownHostsPath, trust).then(
        (d) => {
          if (d.accept && spec.carriesHop && trust && !trust.save) {
            hopKeysAcceptedOnce.set(hop, d.hostKey.fingerprint);
          }
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

  return new Promise<HopOutcome>((resolve, reject) => {
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve({ kind: 'connected', client, hostKey: accepted! });
    });
    client.on('error', (err: Error & { level?: string }) => {
      if (settled) return;
      // An agent that cannot be reached (a stale SSH_AUTH_SOCK) is skipped by ssh2, which goes
      // on with the key file; it says so with an error event that must not end the connect.
      if (err.level === 'agent' && spec.privateKey) return;
      settled = true;
      client.end();
      if (refusal) resolve({ kind: 'host-key', refusal });
      else if (gateError) reject(knownHostsUnusable(gateError, opts.knownHostsPath));
      else reject(explainConnectError(err, where, offer.offered));
    });
    // A link that just ends (a forwarded channel closed by the far side) emits no error: without
    // this the connect would wait for ever.
    client.once('close', () => {
      if (settled) return;
      settled = true;
      if (refusal) resolve({ kind: 'host-key', refusal });
      else
        reject(
          explainConnectError(
            new Error('the connection closed during the handshake'),
            where,
            offer.offered,
          ),
        );
    });
    client.connect(config);
  });
}

/** A TCP channel from a connected hop to the next host, as ssh -W / ProxyJump opens it. */
function forwardTo(client: Client, host: string, port: number, via: string) {
  return new Promise<NodeJS.ReadableStream & NodeJS.WritableStream>((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
      if (err) {
        reject(
          new AppError('connect-failed', `The jump host ${via} could not reach ${host}:${port}.`, {
            cause: err.message,
            remedy: `Check that ${via} allows TCP forwarding (AllowTcpForwarding, PermitOpen) to ${host}:${port}.`,
          }),
        );
      } else resolve(channel);
    });
  });
}

/**
 * Connects, verifying the host key against known_hosts before any authentication; through the
 * ProxyJump hops of the profile's ~/.ssh/config alias, each hop's key checked the same way.
 */
export async function connectSsh(target: SshTarget, opts: ConnectOptions): Promise<ConnectOutcome> {
  const { key, needPassphrase } = await privateKeyFor(target.auth, opts.passphrase);
  if (needPassphrase && target.auth.kind === 'key') {
    return {
      kind: 'passphrase-required',
      keyPath: target.auth.keyPath,
      wrong: needPassphrase.wrong,
    };
  }
  const sources = target.sshConfigAlias ? (opts.sshConfig ?? localSshConfig()) : undefined;
  const fromConfig =
    sources && target.sshConfigAlias ? resolveHost(sources, target.sshConfigAlias) : undefined;
  const foundAgent = defaultAgent(opts.agentSocket);
  // ssh offers the agent's keys too with a key file, unless IdentitiesOnly says only the file.
  const agent =
    target.auth.kind === 'agent' || fromConfig?.identitiesOnly !== true ? foundAgent : undefined;
  if (target.auth.kind === 'agent' && !agent) {
    throw new AppError('auth-failed', 'No ssh-agent is available to log in with.', {
      remedy: 'Start ssh-agent and add your key (ssh-add), or choose a key file for this host.',
    });
  }
  const hops: JumpHopTarget[] =
    sources && fromConfig ? await jumpHopsFor(fromConfig, sources, foundAgent) : [];

  const open: Client[] = [];
  const closeAll = () => {
    for (const c of open.reverse()) c.end();
  };
  try {
    let sock: HopSpec['sock'];
    for (const [i, hop] of hops.entries()) {
      const out = await openOne(
        { ...hop, allowLegacy: target.allowLegacyAlgorithms === true, sock, carriesHop: true },
        opts,
      );
      if (out.kind === 'host-key') {
        closeAll();
        return out;
      }
      open.push(out.client);
      const next = hops[i + 1] ?? { host: target.host, port: target.port };
      sock = await forwardTo(
        out.client,
        next.host,
        next.port,
        `${hop.user}@${hop.host}:${hop.port}`,
      );
    }
    const out = await openOne(
      {
        host: target.host,
        port: target.port,
        user: target.user,
        ...(key ? { privateKey: key, passphrase: opts.passphrase } : {}),
        ...(agent ? { agent } : {}),
        agentFirst: true,
        allowLegacy: target.allowLegacyAlgorithms === true,
        sock,
      },
      opts,
    );
    if (out.kind === 'host-key') {
      closeAll();
      return out;
    }
    return {
      kind: 'connected',
      connection: new SshConnection(out.client, out.hostKey, open),
      hostKey: out.hostKey,
    };
  } catch (err) {
    closeAll();
    throw err;
  }
}
