import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceHarness } from '../support/service-harness';
import { startOwnSshd, type OwnSshd } from './own-sshd';

/**
 * Host tier: the admin's own SSH setup against real OpenSSH daemons started here. A ~/.ssh/config
 * (HOME pointed at a temp dir) with an Included file names a jump host and a target only the jump
 * reaches; a real ssh-agent holds a key whose file is gone.
 */
const started: OwnSshd[] = [];
const agents: ChildProcess[] = [];
afterAll(async () => {
  for (const s of started.splice(0)) await s.stop();
  for (const a of agents.splice(0)) a.kill('SIGTERM');
});

const harnesses: ReturnType<typeof serviceHarness>[] = [];
const realHome = process.env.HOME;
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'quiesce-home-'));
  mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
  process.env.HOME = home;
});
afterEach(() => {
  process.env.HOME = realHome;
  for (const h of harnesses.splice(0)) h.dispose();
});
function harness(opts: Parameters<typeof serviceHarness>[0]) {
  const h = serviceHarness(opts);
  harnesses.push(h);
  return h;
}

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8');
}
function fingerprint(pubFile: string): string {
  return execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).split(' ')[1]!;
}
const hostFingerprint = (s: OwnSshd) => fingerprint(join(s.dir, 'ssh_host_ed25519_key.pub'));

/** A key that logs in to both daemons, kept in the temp HOME as the admin would keep it. */
function adminKey(): { keyPath: string; authorizedKeys: string } {
  const keyPath = join(home, '.ssh', 'id_quiesce');
  const authorizedKeys = join(home, 'authorized_keys');
  writeFileSync(authorizedKeys, keygen(keyPath));
  return { keyPath, authorizedKeys };
}

async function sshd(opts: Parameters<typeof startOwnSshd>[0]): Promise<OwnSshd> {
  const s = await startOwnSshd(opts);
  started.push(s);
  return s;
}

/** A target on 127.0.0.2 and a jump host on 127.0.0.1 that may forward only to it. */
async function jumpAndTarget(authorizedKeysFile: string) {
  const target = await sshd({
    hostKeyTypes: ['ed25519'],
    listenAddress: '127.0.0.2',
    authorizedKeysFile,
  });
  const jump = await sshd({
    hostKeyTypes: ['ed25519'],
    authorizedKeysFile,
    // DEBUG1 logs each forwarding request; PermitOpen limits the jump to the target.
    extraConfig: [
      'LogLevel DEBUG1',
      'AllowTcpForwarding yes',
      `PermitOpen 127.0.0.2:${target.port}`,
    ],
  });
  return { jump, target };
}

function writeConfig(jump: OwnSshd, target: OwnSshd) {
  writeFileSync(
    join(home, '.ssh', 'config'),
    [
      'Include conf.d/*.conf',
      'Host lab-target',
      '  HostName 127.0.0.2',
      `  Port ${target.port}`,
      `  User ${target.user}`,
      '  IdentityFile ~/.ssh/id_quiesce',
      '  ProxyJump lab-jump',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(home, '.ssh', 'conf.d', 'jump.conf'),
    [
      'Host lab-jump',
      '  HostName 127.0.0.1',
      `  Port ${jump.port}`,
      `  User ${jump.user}`,
      '  IdentityFile %d/.ssh/id_quiesce',
      '  IdentitiesOnly yes',
      '',
    ].join('\n'),
  );
}

const knownLine = (s: OwnSshd) => `[${s.address}]:${s.port} ${s.hostKeys.ed25519!.line}\n`;

/** Add host as the form does it from a picked alias. */
async function addFromAlias(h: ReturnType<typeof harness>, alias: string) {
  const { hosts } = await h.call('hosts.sshConfig', {});
  const picked = hosts.find((x) => x.alias === alias)!;
  expect(picked).toBeDefined();
  return h.call('hosts.save', {
    name: picked.alias,
    address: picked.hostName,
    port: picked.port,
    user: picked.user,
    auth: picked.identityFile
      ? { kind: 'key', keyPath: picked.identityFile }
      : { kind: 'agent' as const },
    libvirtUri: 'test:///default',
    sshConfigAlias: picked.alias,
  });
}

describe('a host reached through a ProxyJump from ~/.ssh/config', () => {
  it('connects through the jump host, both host keys verified from known_hosts', async () => {
    const { keyPath, authorizedKeys } = adminKey();
    const { jump, target } = await jumpAndTarget(authorizedKeys);
    writeConfig(jump, target);
    const h = harness({ knownHosts: knownLine(jump) + knownLine(target) });

    const { hosts } = await h.call('hosts.sshConfig', {});
    expect(hosts).toContainEqual({
      alias: 'lab-target',
      hostName: '127.0.0.2',
      port: target.port,
      user: target.user,
      identityFile: keyPath,
      identitiesOnly: false,
      jumps: ['lab-jump'],
    });
    const host = await addFromAlias(h, 'lab-target');
    expect(host.sshConfigAlias).toBe('lab-target');
    expect(await h.call('hosts.connect', { hostId: host.id })).toEqual({
      status: 'connected',
      hostKey: { type: 'ssh-ed25519', fingerprint: hostFingerprint(target) },
    });
    // The jump host's own word: it opened the forward to the target for this connection.
    expect(jump.log()).toMatch(new RegExp(`127\\.0\\.0\\.2 port ${target.port}`));
    // The target is not where the jump host is: a direct connect there is refused.
    const direct = await h.call('hosts.save', {
      name: 'direct',
      address: '127.0.0.1',
      port: target.port,
      user: target.user,
      auth: { kind: 'key', keyPath },
      libvirtUri: 'test:///default',
    });
    const err = await h.callError('hosts.connect', { hostId: direct.id });
    expect(err.cause ?? err.message).toMatch(/ECONNREFUSED|refused/i);

    // Closing the target closes the hop: the jump host sees its client go.
    await h.call('hosts.disconnect', { hostId: host.id });
    await expect
      .poll(() => jump.log(), { timeout: 5_000 })
      .toMatch(/Disconnected from user|Connection closed by|Close session/);
  });

  it('asks about an unknown jump host key like a target key, and goes on once it is accepted', async () => {
    const { authorizedKeys } = adminKey();
    const { jump, target } = await jumpAndTarget(authorizedKeys);
    writeConfig(jump, target);
    const h = harness({ knownHosts: knownLine(target) });
    const host = await addFromAlias(h, 'lab-target');
    const asked = await h.call('hosts.connect', { hostId: host.id });
    expect(asked).toMatchObject({
      status: 'host-key-unknown',
      hostKey: { type: 'ssh-ed25519', fingerprint: hostFingerprint(jump) },
    });
    expect(
      await h.call('hosts.connect', {
        hostId: host.id,
        trust: { fingerprint: hostFingerprint(jump), save: true },
      }),
    ).toMatchObject({ status: 'connected', hostKey: { fingerprint: hostFingerprint(target) } });
    expect(readFileSync(h.knownHostsPath, 'utf8')).toContain(jump.hostKeys.ed25519!.line);
  });

  it('keeps a jump host key accepted once while the target key is asked about next', async () => {
    const { authorizedKeys } = adminKey();
    const { jump, target } = await jumpAndTarget(authorizedKeys);
    writeConfig(jump, target);
    const h = harness({ knownHosts: '' });
    const host = await addFromAlias(h, 'lab-target');
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'host-key-unknown',
      hostKey: { fingerprint: hostFingerprint(jump) },
    });
    const once = (fingerprint: string) => ({
      hostId: host.id,
      trust: { fingerprint, save: false },
    });
    expect(await h.call('hosts.connect', once(hostFingerprint(jump)))).toMatchObject({
      status: 'host-key-unknown',
      hostKey: { fingerprint: hostFingerprint(target) },
    });
    expect(await h.call('hosts.connect', once(hostFingerprint(target)))).toMatchObject({
      status: 'connected',
    });
    // Accepted once means not written down.
    expect(readFileSync(h.knownHostsPath, 'utf8')).toBe('');
  });

  it('refuses a jump host whose key changed, whatever the target key', async () => {
    const { authorizedKeys } = adminKey();
    const { jump, target } = await jumpAndTarget(authorizedKeys);
    writeConfig(jump, target);
    // The jump's name with another key: a changed key.
    const h = harness({
      knownHosts: `[127.0.0.1]:${jump.port} ${target.hostKeys.ed25519!.line}\n${knownLine(target)}`,
    });
    const host = await addFromAlias(h, 'lab-target');
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'host-key-changed',
      hostKey: { fingerprint: hostFingerprint(jump) },
    });
  });
});

describe('a host added from an ~/.ssh/config alias defined in an Included file', () => {
  it('fills the profile from the Included Host block and connects with its IdentityFile', async () => {
    const { keyPath, authorizedKeys } = adminKey();
    const { jump, target } = await jumpAndTarget(authorizedKeys);
    writeConfig(jump, target);
    const h = harness({ knownHosts: knownLine(jump) });
    const host = await addFromAlias(h, 'lab-jump');
    expect(host).toMatchObject({
      name: 'lab-jump',
      address: '127.0.0.1',
      port: jump.port,
      user: jump.user,
      auth: { kind: 'key', keyPath },
      sshConfigAlias: 'lab-jump',
    });
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'connected',
      hostKey: { fingerprint: hostFingerprint(jump) },
    });
  });
});

/** A real ssh-agent on its own socket, holding one key whose file is then removed. */
async function agentHolding(): Promise<{ sock: string; pub: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-agent-'));
  const sock = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  agents.push(agent);
  await expect.poll(() => existsSync(sock), { timeout: 5_000 }).toBe(true);
  const key = join(dir, 'agent_only');
  const pub = keygen(key);
  execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
  rmSync(key);
  rmSync(`${key}.pub`);
  return { sock, pub };
}

describe('ssh-agent authentication', () => {
  it('logs in with a key held only by a real ssh-agent', async () => {
    const { sock, pub } = await agentHolding();
    const authorizedKeys = join(home, 'authorized_keys');
    writeFileSync(authorizedKeys, pub);
    const s = await sshd({ hostKeyTypes: ['ed25519'], authorizedKeysFile: authorizedKeys });
    const h = harness({ knownHosts: knownLine(s), agentSocket: sock });
    const host = await h.call('hosts.save', {
      name: 'agent',
      address: s.address,
      port: s.port,
      user: s.user,
      auth: { kind: 'agent' },
      libvirtUri: 'test:///default',
    });
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'connected',
    });
    expect(s.log()).toMatch(/Accepted publickey/);
  });

  it('offers the agent with a key file, unless the alias says IdentitiesOnly', async () => {
    const { sock, pub } = await agentHolding();
    const authorizedKeys = join(home, 'authorized_keys');
    writeFileSync(authorizedKeys, pub);
    const s = await sshd({ hostKeyTypes: ['ed25519'], authorizedKeysFile: authorizedKeys });
    // A key file the host does not accept: only the agent's key can log in.
    const other = join(home, '.ssh', 'id_other');
    keygen(other);
    writeFileSync(
      join(home, '.ssh', 'config'),
      [
        'Host agent-too',
        `  HostName ${s.address}`,
        `  Port ${s.port}`,
        `  User ${s.user}`,
        '  IdentityFile ~/.ssh/id_other',
        'Host file-only',
        `  HostName ${s.address}`,
        `  Port ${s.port}`,
        `  User ${s.user}`,
        '  IdentityFile ~/.ssh/id_other',
        '  IdentitiesOnly yes',
        '',
      ].join('\n'),
    );
    const h = harness({ knownHosts: knownLine(s), agentSocket: sock });
    const withAgent = await addFromAlias(h, 'agent-too');
    expect(await h.call('hosts.connect', { hostId: withAgent.id })).toMatchObject({
      status: 'connected',
    });
    const fileOnly = await addFromAlias(h, 'file-only');
    expect((await h.callError('hosts.connect', { hostId: fileOnly.id })).code).toBe('auth-failed');
  });
});
