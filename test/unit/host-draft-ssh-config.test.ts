import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  draftFromHost,
  draftFromSshConfig,
  emptyDraft,
  validateDraft,
} from '../../renderer/hosts/host-draft';
import { sshConfigHosts } from '../../electron/services/ssh/ssh-config-handlers';
import { localSshConfig } from '../../electron/services/ssh/ssh-config-files';

const picked = {
  alias: 'kvm2',
  hostName: '10.0.0.2',
  port: 2222,
  user: 'lab',
  identityFile: '/home/admin/.ssh/lab_key',
  identitiesOnly: true,
  jumps: ['bastion'],
};

describe('Add host from a ~/.ssh/config alias', () => {
  it('fills address, port, user and key from the alias and keeps the alias as its source', () => {
    const draft = draftFromSshConfig(picked, emptyDraft());
    expect(draft).toMatchObject({
      name: 'kvm2',
      address: '10.0.0.2',
      port: '2222',
      user: 'lab',
      authKind: 'key',
      keyPath: '/home/admin/.ssh/lab_key',
      sshConfigAlias: 'kvm2',
    });
    const checked = validateDraft(draft);
    expect(checked).toEqual({
      input: expect.objectContaining({ sshConfigAlias: 'kvm2', port: 2222 }) as unknown,
    });
  });

  it('keeps a name already typed and uses ssh-agent where the alias names no key', () => {
    const noKey: Partial<typeof picked> & Omit<typeof picked, 'identityFile'> = { ...picked };
    delete noKey.identityFile;
    const draft = draftFromSshConfig(noKey, { ...emptyDraft(), name: 'Lab two' });
    expect(draft).toMatchObject({ name: 'Lab two', authKind: 'agent', keyPath: '' });
  });

  it('a typed-in host has no alias, and an edited profile keeps its own', () => {
    const checked = validateDraft({ ...emptyDraft(), name: 'a', address: 'h', user: 'u' });
    expect('input' in checked && 'sshConfigAlias' in checked.input).toBe(false);
    const host = {
      id: '3b241101-e2bb-4255-8caf-4136c566a962',
      name: 'kvm2',
      address: '10.0.0.2',
      port: 22,
      user: 'lab',
      auth: { kind: 'agent' as const },
      libvirtUri: 'qemu:///system',
      hostDir: '.quiesce',
      sshConfigAlias: 'kvm2',
    };
    expect(draftFromHost(host).sshConfigAlias).toBe('kvm2');
  });
});

describe('hosts.sshConfig answer', () => {
  it('resolves every concrete alias of the config under HOME, Included ones too', () => {
    const home = mkdtempSync(join(tmpdir(), 'quiesce-home-'));
    mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
    writeFileSync(
      join(home, '.ssh', 'config'),
      'Include conf.d/*\nHost *\n  User everyone\n  IdentityFile ~/.ssh/id_%h\n',
    );
    writeFileSync(
      join(home, '.ssh', 'conf.d', 'lab'),
      'Host kvm2\n  HostName 10.0.0.2\n  ProxyJump ops@bastion:2022\n',
    );
    expect(sshConfigHosts(localSshConfig(home))).toEqual({
      path: join(home, '.ssh', 'config'),
      hosts: [
        {
          alias: 'kvm2',
          hostName: '10.0.0.2',
          port: 22,
          user: 'everyone',
          identityFile: join(home, '.ssh', 'id_10.0.0.2'),
          identitiesOnly: false,
          jumps: ['ops@bastion:2022'],
        },
      ],
    });
  });

  it('says why a config could not be resolved instead of failing the dialog', () => {
    const home = mkdtempSync(join(tmpdir(), 'quiesce-home-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(
      join(home, '.ssh', 'config'),
      `Host loop\nInclude ${join(home, '.ssh', 'config')}\n`,
    );
    const answer = sshConfigHosts(localSshConfig(home));
    expect(answer.hosts).toEqual([]);
    expect(answer.problem).toMatch(/nested too deeply/);
  });

  it('answers no host where there is no config', () => {
    const home = mkdtempSync(join(tmpdir(), 'quiesce-home-'));
    expect(sshConfigHosts(localSshConfig(home))).toMatchObject({ hosts: [] });
  });
});
