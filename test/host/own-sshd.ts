/**
 * A second, throw-away OpenSSH sshd on a free 127.0.0.1 port, for tests that need host keys or
 * algorithms the lab's sshd does not have (test/lab/sshd.ts starts that one the same way: -D as
 * a child, its own config, no PAM). Its host keys are made here by ssh-keygen; it logs in the
 * given user with the given authorized_keys file (by default: the user running the test, with a
 * client key made here).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';
export const OWN_SSHD_ADDRESS = '127.0.0.1';

export interface OwnSshdOptions {
  /** ssh-keygen -t values, in the order sshd is told about them. */
  hostKeyTypes: ('ed25519' | 'ecdsa' | 'rsa')[];
  /**
   * sshd_config lines added as they are (e.g. `HostKeyAlgorithms ssh-rsa`), before the defaults:
   * sshd takes the first value it reads for a keyword, so these win.
   */
  extraConfig?: string[];
  user?: string;
  authorizedKeysFile?: string;
  /** Another loopback address (e.g. 127.0.0.2), for a host only a jump host should reach. */
  listenAddress?: string;
}

export interface OwnSshd {
  address: string;
  port: number;
  dir: string;
  user: string;
  /** The private key that logs in (only when this helper made it). */
  clientKey: string;
  /** `type base64` of each host key, by ssh-keygen -t value. */
  hostKeys: Record<string, { line: string; type: string }>;
  /** What sshd logged so far. */
  log(): string;
  stop(): Promise<void>;
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something on the port speaks SSH (its banner), or rejects after a while. */
async function waitForBanner(
  address: string,
  port: number,
  child: ChildProcess,
  log: string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${readLog(log).slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host: address, port });
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(1_000, () => done(false));
      sock.once('data', (b: Buffer) => done(b.toString('latin1').startsWith('SSH-')));
      sock.once('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd does not answer on ${address}:${port}: ${readLog(log).slice(-2000)}`);
}

function readLog(log: string): string {
  try {
    return readFileSync(log, 'utf8');
  } catch {
    return '(no log)';
  }
}

export async function startOwnSshd(opts: OwnSshdOptions): Promise<OwnSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-own-sshd-'));
  const keygen = (file: string, type: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', file]);
  const hostKeys: OwnSshd['hostKeys'] = {};
  for (const t of opts.hostKeyTypes) {
    const file = join(dir, `ssh_host_${t}_key`);
    keygen(file, t);
    const [type, b64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/) as [string, string];
    hostKeys[t] = { type, line: `${type} ${b64}` };
  }
  const clientKey = join(dir, 'client');
  let authorizedKeysFile = opts.authorizedKeysFile;
  if (!authorizedKeysFile) {
    keygen(clientKey, 'ed25519');
    authorizedKeysFile = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeysFile, readFileSync(`${clientKey}.pub`));
  }
  const user = opts.user ?? userInfo().username;
  const address = opts.listenAddress ?? OWN_SSHD_ADDRESS;
  const port = await freePort(address);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      ...(opts.extraConfig ?? []),
      `ListenAddress ${address}:${port}`,
      ...opts.hostKeyTypes.map((t) => `HostKey ${join(dir, `ssh_host_${t}_key`)}`),
      'PidFile none',
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      `AllowUsers ${user}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      // The files live under /tmp, which StrictModes would reject.
      'StrictModes no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation dir
  execFileSync(SSHD, ['-t', '-f', config]);
  const log = join(dir, 'sshd.log');
  const child = spawn(SSHD, ['-D', '-f', config, '-E', log], { stdio: 'ignore' });
  await waitForBanner(address, port, child, log);
  return {
    address,
    port,
    dir,
    user,
    clientKey,
    hostKeys,
    log: () => readLog(log),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
