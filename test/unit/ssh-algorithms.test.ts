import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import {
  LEGACY_ALGORITHMS,
  MODERN_ALGORITHMS,
  ServerOffer,
  algorithmsFor,
  failedNegotiation,
  orderHostKeyAlgorithms,
  type AlgorithmKind,
} from '../../electron/services/ssh/algorithms';
import { explainConnectError } from '../../electron/services/ssh/ssh-errors';
import { connectSsh } from '../../electron/services/ssh/ssh-connection';
import { AppError } from '../../electron/services/app-error';

const KINDS: AlgorithmKind[] = ['kex', 'serverHostKey', 'cipher', 'hmac'];
/** Names that are SHA-1, 1024-bit DH or CBC: never offered unless the host allows legacy. */
const WEAK = /^(ssh-rsa|ssh-dss|hmac-sha1.*|diffie-hellman-group1-sha1|.*-sha1|.*-cbc)$/;

describe('the algorithm lists', () => {
  it('offer no SHA-1, CBC or 1024-bit DH by default, and keep RSA keys with SHA-2', () => {
    const lists = algorithmsFor({ knownTypes: [], allowLegacy: false });
    for (const kind of KINDS) {
      expect(lists[kind].length).toBeGreaterThan(0);
      for (const name of lists[kind]) expect(name, `${kind}: ${name}`).not.toMatch(WEAK);
    }
    expect(lists.serverHostKey).toEqual(expect.arrayContaining(['rsa-sha2-512', 'rsa-sha2-256']));
    expect(lists.kex).not.toContain('diffie-hellman-group14-sha1');
    expect(lists.kex).not.toContain('diffie-hellman-group1-sha1');
    expect(lists.hmac).not.toContain('hmac-sha1');
    expect(lists.cipher.some((c) => c.endsWith('-cbc'))).toBe(false);
  });

  it('add the legacy ones after every modern one when the host allows them', () => {
    const lists = algorithmsFor({ knownTypes: [], allowLegacy: true });
    for (const kind of KINDS) {
      expect(lists[kind]).toEqual([...MODERN_ALGORITHMS[kind], ...LEGACY_ALGORITHMS[kind]]);
    }
    expect(lists.serverHostKey).toContain('ssh-rsa');
    expect(lists.hmac).toContain('hmac-sha1');
  });

  it('name only algorithms ssh2 implements (it throws on any other)', () => {
    // ssh2 keeps its supported lists in an internal module; the Client checks against them.
    const require = createRequire(import.meta.url);
    const c = require('ssh2/lib/protocol/constants.js') as Record<string, string[]>;
    const supported: Record<AlgorithmKind, string[]> = {
      kex: c.SUPPORTED_KEX!,
      serverHostKey: c.SUPPORTED_SERVER_HOST_KEY!,
      cipher: c.SUPPORTED_CIPHER!,
      hmac: c.SUPPORTED_MAC!,
    };
    const all = algorithmsFor({ knownTypes: [], allowLegacy: true });
    for (const kind of KINDS) for (const a of all[kind]) expect(supported[kind]).toContain(a);
  });
});

describe('host-key algorithms, known types first (as OpenSSH orders them)', () => {
  const modern = MODERN_ALGORITHMS.serverHostKey;

  it('keeps the default order when known_hosts knows nothing of the host', () => {
    expect(orderHostKeyAlgorithms(modern, [])).toEqual(modern);
  });

  it('puts the known ECDSA type first', () => {
    const order = orderHostKeyAlgorithms(modern, ['ecdsa-sha2-nistp256']);
    expect(order[0]).toBe('ecdsa-sha2-nistp256');
    expect(order.indexOf('ecdsa-sha2-nistp256')).toBeLessThan(order.indexOf('ssh-ed25519'));
    expect([...order].sort()).toEqual([...modern].sort());
  });

  it('maps a known ssh-rsa key to its SHA-2 signatures, and to ssh-rsa only where allowed', () => {
    expect(orderHostKeyAlgorithms(modern, ['ssh-rsa']).slice(0, 2)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
    ]);
    const legacy = algorithmsFor({ knownTypes: ['ssh-rsa'], allowLegacy: true }).serverHostKey;
    expect(legacy.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('keeps the default order among several known types', () => {
    const order = orderHostKeyAlgorithms(modern, ['ecdsa-sha2-nistp384', 'ssh-ed25519']);
    expect(order.slice(0, 2)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp384']);
  });
});

describe('a handshake with no algorithm in common', () => {
  const where = 'admin@192.0.2.10:22';
  it('tells which list failed from ssh2’s message', () => {
    expect(failedNegotiation('Handshake failed: no matching host key format')).toBe(
      'serverHostKey',
    );
    expect(failedNegotiation('Handshake failed: no matching key exchange algorithm')).toBe('kex');
    expect(failedNegotiation('Handshake failed: no matching C->S cipher')).toBe('cipher');
    expect(failedNegotiation('Handshake failed: no matching S->C MAC')).toBe('hmac');
    expect(failedNegotiation('connect ECONNREFUSED')).toBeUndefined();
  });

  it('reads what the server offered from ssh2’s debug lines', () => {
    const offer = new ServerOffer();
    offer.onDebug('Handshake: (local) Host key format: ssh-ed25519');
    offer.onDebug('Handshake: (remote) KEX method: curve25519-sha256,diffie-hellman-group14-sha1');
    offer.onDebug('Handshake: (remote) Host key format: ssh-rsa');
    offer.onDebug('Handshake: (remote) C->S cipher: aes128-ctr');
    offer.onDebug('Handshake: (remote) S->C cipher: aes256-ctr');
    offer.onDebug('Handshake: (remote) C->S MAC: hmac-sha1');
    offer.onDebug('Handshake: (remote) C->S compression: none');
    expect(offer.offered).toEqual({
      kex: ['curve25519-sha256', 'diffie-hellman-group14-sha1'],
      serverHostKey: ['ssh-rsa'],
      cipher: ['aes128-ctr'],
      hmac: ['hmac-sha1'],
    });
  });

  it('says the host offers only legacy algorithms, which, and how to allow them for it', () => {
    const e = explainConnectError(
      Object.assign(new Error('Handshake failed: no matching host key format'), {
        level: 'handshake',
      }),
      where,
      { serverHostKey: ['ssh-rsa', 'ssh-dss'] },
    );
    expect(e.code).toBe('connect-failed');
    expect(e.message).toContain('offers only legacy SSH host key algorithms (ssh-rsa, ssh-dss)');
    expect(e.details.cause).toContain('the host offers: ssh-rsa, ssh-dss');
    expect(e.details.remedy).toContain('Allow legacy SSH algorithms');
    expect(e.details.remedy).toMatch(/update or reconfigure sshd/);
  });

  it('lists what the host offers when none of it is legacy either', () => {
    const e = explainConnectError(new Error('Handshake failed: no matching C->S cipher'), where, {
      cipher: ['rijndael-cbc@lysator.liu.se'],
    });
    expect(e.message).toMatch(/no SSH cipher algorithm in common/);
    expect(e.details.cause).toContain('rijndael-cbc@lysator.liu.se');
    expect(e.details.remedy).not.toContain('Allow legacy');
  });
});

/**
 * connectSsh against an in-process ssh2 server with real host keys from ssh-keygen: what the
 * client asks for decides which key the server shows. (test/host/ repeats this with OpenSSH.)
 */
describe('connectSsh negotiates the host key known_hosts knows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-alg-'));
  const keygen = (name: string, type: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(dir, name)]);
    const [t, b64] = readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ');
    return { path: join(dir, name), line: `${t} ${b64}` };
  };
  let ed: ReturnType<typeof keygen>;
  let ec: ReturnType<typeof keygen>;
  let rsa: ReturnType<typeof keygen>;
  let client: ReturnType<typeof keygen>;
  const servers: InstanceType<typeof ssh2.Server>[] = [];

  beforeAll(() => {
    ed = keygen('host_ed25519', 'ed25519');
    ec = keygen('host_ecdsa', 'ecdsa');
    rsa = keygen('host_rsa', 'rsa');
    client = keygen('client', 'ed25519');
  });
  afterAll(() => {
    for (const s of servers) s.close();
  });

  /** A server that logs anyone in by public key and offers these host keys and algorithms. */
  async function server(hostKeys: string[], serverHostKey?: string[]): Promise<number> {
    const srv = new ssh2.Server(
      {
        hostKeys: hostKeys.map((p) => readFileSync(p)),
        ...(serverHostKey ? { algorithms: { serverHostKey: serverHostKey as never } } : {}),
      },
      (c) => {
        c.on('authentication', (ctx) =>
          ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey']),
        );
        c.on('error', () => undefined);
      },
    );
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return (srv.address() as AddressInfo).port;
  }

  const connect = (port: number, knownHosts: string, allowLegacyAlgorithms?: boolean) => {
    const knownHostsPath = join(dir, `known_hosts_${port}`);
    writeFileSync(knownHostsPath, knownHosts);
    return connectSsh(
      {
        host: '127.0.0.1',
        port,
        user: 'admin',
        auth: { kind: 'key', keyPath: client.path },
        ...(allowLegacyAlgorithms === undefined ? {} : { allowLegacyAlgorithms }),
      },
      { knownHostsPath, readyTimeoutMs: 10_000 },
    );
  };

  it('connects without a question to a host known only by its ECDSA key that also offers ed25519', async () => {
    const port = await server([ed.path, ec.path]);
    const outcome = await connect(port, `[127.0.0.1]:${port} ${ec.line}\n`);
    expect(outcome.kind).toBe('connected');
    if (outcome.kind === 'connected') {
      expect(outcome.hostKey.type).toBe('ecdsa-sha2-nistp256');
      outcome.connection.close();
    }
  });

  it('matches the host name whatever its case', async () => {
    const port = await server([ed.path, ec.path]);
    const knownHostsPath = join(dir, `known_hosts_case_${port}`);
    writeFileSync(knownHostsPath, `[LOCALHOST]:${port} ${ec.line}\n`);
    const outcome = await connectSsh(
      { host: 'LocalHost', port, user: 'a', auth: { kind: 'key', keyPath: client.path } },
      { knownHostsPath, readyTimeoutMs: 10_000 },
    );
    expect(outcome).toMatchObject({ kind: 'connected', hostKey: { type: 'ecdsa-sha2-nistp256' } });
    if (outcome.kind === 'connected') outcome.connection.close();
  });

  it('still asks about an unknown ed25519 key when nothing is known', async () => {
    const port = await server([ed.path, ec.path]);
    expect(await connect(port, '')).toMatchObject({
      kind: 'host-key',
      refusal: { status: 'host-key-unknown', hostKey: { type: 'ssh-ed25519' }, knownTypes: [] },
    });
  });

  it('refuses a host that signs its RSA key only with SHA-1, unless that host allows legacy', async () => {
    const port = await server([rsa.path], ['ssh-rsa']);
    const known = `[127.0.0.1]:${port} ${rsa.line}\n`;
    const err = await connect(port, known).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain(
      'offers only legacy SSH host key algorithms (ssh-rsa)',
    );
    expect((err as AppError).details.remedy).toContain('Allow legacy SSH algorithms');

    const allowed = await connect(port, known, true);
    expect(allowed).toMatchObject({ kind: 'connected', hostKey: { type: 'ssh-rsa' } });
    if (allowed.kind === 'connected') allowed.connection.close();
  });

  it('uses SHA-2 signatures with an RSA host key by default', async () => {
    const port = await server([rsa.path]);
    const outcome = await connect(port, `[127.0.0.1]:${port} ${rsa.line}\n`);
    expect(outcome).toMatchObject({ kind: 'connected', hostKey: { type: 'ssh-rsa' } });
    if (outcome.kind === 'connected') outcome.connection.close();
  });
});
