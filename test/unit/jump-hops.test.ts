import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jumpHopsFor } from '../../electron/services/ssh/jump-hops';
import { localSshConfig } from '../../electron/services/ssh/ssh-config-files';
import { resolveHost } from '../../electron/services/ssh/ssh-config';
import { defaultAgent } from '../../electron/services/ssh/ssh-connection';

function home(config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-home-'));
  mkdirSync(join(dir, '.ssh'));
  writeFileSync(join(dir, '.ssh', 'config'), config);
  return dir;
}

describe('jump hops of an alias', () => {
  it('goes through the first hop’s own ProxyJump first; user@ and :port in ProxyJump win', async () => {
    const dir = home(
      [
        'Host target',
        '  ProxyJump outer,ops@inner:2022',
        'Host outer',
        '  HostName outer.example',
        '  User o',
        '  ProxyJump gate',
        'Host inner',
        '  HostName inner.example',
        '  User i',
        '  Port 2200',
        '  ProxyJump never-followed',
        'Host gate',
        '  HostName gate.example',
        '  Port 2022',
        'Host *',
        '  User anyone',
        '',
      ].join('\n'),
    );
    const src = localSshConfig(dir);
    const hops = await jumpHopsFor(resolveHost(src, 'target'), src, '/run/agent.sock');
    expect(hops.map(({ host, port, user }) => `${user}@${host}:${port}`)).toEqual([
      'anyone@gate.example:2022',
      'o@outer.example:22',
      'ops@inner.example:2022',
    ]);
    expect(hops.every((h) => h.agent === '/run/agent.sock' && h.agentFirst)).toBe(true);
  });

  it('logs a hop in with its IdentityFile, and without the agent where IdentitiesOnly', async () => {
    const dir = home('');
    const key = join(dir, '.ssh', 'hop_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', key]);
    writeFileSync(
      join(dir, '.ssh', 'config'),
      'Host t\n  ProxyJump hop\nHost hop\n  IdentityFile ~/.ssh/hop_key\n  IdentitiesOnly yes\n',
    );
    const src = localSshConfig(dir);
    const [hop] = await jumpHopsFor(resolveHost(src, 't'), src, '/run/agent.sock');
    expect(hop!.privateKey?.toString()).toContain('OPENSSH PRIVATE KEY');
    expect(hop!.agent).toBeUndefined();
  });

  it('refuses a ProxyJump loop', async () => {
    const dir = home('Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
    const src = localSshConfig(dir);
    await expect(jumpHopsFor(resolveHost(src, 'a'), src, undefined)).rejects.toThrow(/loops/);
  });
});

describe('which ssh-agent is offered', () => {
  it('the given socket, else SSH_AUTH_SOCK, else Pageant on Windows only', () => {
    expect(defaultAgent('/given', { SSH_AUTH_SOCK: '/env' }, 'linux')).toBe('/given');
    expect(defaultAgent(undefined, { SSH_AUTH_SOCK: '/env' }, 'win32')).toBe('/env');
    expect(defaultAgent(undefined, {}, 'win32')).toBe('pageant');
    expect(defaultAgent(undefined, {}, 'linux')).toBeUndefined();
    expect(defaultAgent(undefined, {}, 'darwin')).toBeUndefined();
  });
});
