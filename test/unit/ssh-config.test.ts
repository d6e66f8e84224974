import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  expandIdentityFile,
  listHostAliases,
  parseProxyJump,
  resolveHost,
  type SshConfigSources,
} from '../../electron/services/ssh/ssh-config';
import { localSshConfig } from '../../electron/services/ssh/ssh-config-files';

/** A config tree in a temp dir; `files` are written under it (`{dir}` replaced by its path). */
function fixture(files: Record<string, string>): SshConfigSources & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-ssh-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text.replaceAll('{dir}', dir));
  }
  // the disk readers the app uses; only the config's place and the home differ
  return { ...localSshConfig('/home/admin'), dir, path: join(dir, 'config') };
}

/** OpenSSH's own answer: `ssh -G -F file alias`, the keywords this module resolves. */
function sshG(configPath: string, alias: string) {
  const out = execFileSync('ssh', ['-G', '-F', configPath, alias], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const get = (k: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith(`${k} `))
      .map((l) => l.slice(k.length + 1));
  return {
    hostName: get('hostname')[0],
    port: Number(get('port')[0]),
    user: get('user')[0],
    identitiesOnly: get('identitiesonly')[0] === 'yes',
    identityFiles: get('identityfile'),
    proxyJump: get('proxyjump')[0],
  };
}

const FIXTURES: Record<string, { files: Record<string, string>; aliases: string[] }> = {
  'patterns, first value wins': {
    files: {
      config: [
        'Host web? !web9',
        '  User webops',
        '  Port 2201',
        'Host web1 db',
        '  HostName %h.lan.example',
        '  Port 2202',
        '  IdentityFile ~/.ssh/id_%u_%h',
        'Host *.example',
        '  User dom',
        'Host *',
        '  User fallback',
        '  IdentityFile ~/.ssh/id_ed25519',
        '  IdentitiesOnly yes',
        '',
      ].join('\n'),
    },
    aliases: ['web1', 'WEB2', 'web', 'web9', 'db', 'webxx', 'a.example', 'other'],
  },
  'Include with a glob, inside and outside a Host block': {
    files: {
      config: [
        'Include {dir}/conf.d/*.conf',
        'Host kvm1',
        '  Include {dir}/only-kvm1',
        'Host *',
        '  Port 2999',
        '',
      ].join('\n'),
      'conf.d/10-lab.conf': 'Host kvm1 kvm2\n  HostName 10.0.0.%h\n  User lab\n',
      'conf.d/20-jump.conf':
        'Host kvm2\n  ProxyJump bastion,ops@gw.example:2022\nHost bastion\n  HostName b.example\n',
      'only-kvm1': 'IdentityFile {dir}/kvm1_key\nIdentitiesOnly yes\nHost kvm2\n  Port 1234\n',
      'conf.d/.hidden.conf': 'Host kvm1\n  Port 7\n',
    },
    aliases: ['kvm1', 'kvm2', 'bastion', 'nothing'],
  },
};

describe('resolveHost agrees with ssh -G (OpenSSH installed here)', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    for (const alias of f.aliases) {
      it(`${name}: ${alias}`, () => {
        const src = fixture(f.files);
        const mine = resolveHost(src, alias);
        const theirs = sshG(src.path, alias);
        expect(mine.hostName).toBe(theirs.hostName);
        expect(mine.port).toBe(theirs.port);
        expect(mine.user).toBe(theirs.user);
        expect(mine.identitiesOnly).toBe(theirs.identitiesOnly);
        // ssh -G lists its defaults where the config names none.
        if (mine.identityFiles.length > 0) expect(mine.identityFiles).toEqual(theirs.identityFiles);
        expect(mine.proxyJump.length === 0 ? undefined : theirs.proxyJump).toBe(theirs.proxyJump);
      });
    }
  }
});

describe('ssh config details', () => {
  it('lists the concrete Host aliases, Included ones too, not patterns or negations', () => {
    const src = fixture(FIXTURES['Include with a glob, inside and outside a Host block']!.files);
    expect(listHostAliases(src)).toEqual(['kvm1', 'kvm2', 'bastion']);
    const pats = fixture(FIXTURES['patterns, first value wins']!.files);
    expect(listHostAliases(pats)).toEqual(['web1', 'db']);
  });

  it('resolves a relative Include under ~/.ssh of the given home', () => {
    const src = fixture({
      config: 'Include extra/*\n',
      '.ssh/extra/a': 'Host box\n  HostName box.example\n  Port 2022\n',
    });
    src.home = src.dir;
    expect(resolveHost(src, 'box')).toMatchObject({ hostName: 'box.example', port: 2022 });
    expect(listHostAliases(src)).toEqual(['box']);
  });

  it('parses ProxyJump hops as OpenSSH writes them', () => {
    expect(parseProxyJump('j1,bob@j2:2022,ssh://eve@[::1]:23,[fe80::1]')).toEqual([
      { host: 'j1' },
      { host: 'j2', user: 'bob', port: 2022 },
      { host: '::1', user: 'eve', port: 23 },
      { host: 'fe80::1' },
    ]);
    expect(parseProxyJump('none')).toEqual([]);
  });

  it('expands ~ and the common IdentityFile tokens', () => {
    const src = fixture({ config: 'Host h\n  HostName h.example\n  User root\n  Port 2200\n' });
    const host = resolveHost(src, 'h');
    expect(expandIdentityFile('~/.ssh/%r@%h:%p_%n_%u_%%', host, src)).toBe(
      `/home/admin/.ssh/root@h.example:2200_h_${src.localUser}_%`,
    );
    expect(expandIdentityFile('%d/k', host, src)).toBe('/home/admin/k');
    expect(expandIdentityFile('keys/k', host, src)).toBe('/home/admin/keys/k');
  });

  it('stops an Include loop', () => {
    const src = fixture({ config: 'Include {dir}/config\n' });
    expect(() => resolveHost(src, 'x')).toThrow(/nested too deeply/);
  });
});
