import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { serviceHarness } from '../support/service-harness';
import { OWN_SSHD_ADDRESS, startOwnSshd, type OwnSshd } from './own-sshd';

/**
 * Host tier: the app's connection service against a real OpenSSH sshd started here, with its own
 * host keys, to show what known_hosts and the host profile decide about host keys and algorithms.
 */
const started: OwnSshd[] = [];
afterAll(async () => {
  for (const s of started.splice(0)) await s.stop();
});
async function sshd(...args: Parameters<typeof startOwnSshd>): Promise<OwnSshd> {
  const s = await startOwnSshd(...args);
  started.push(s);
  return s;
}

const harnesses: ReturnType<typeof serviceHarness>[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.dispose();
});
function harness(knownHosts: string) {
  const h = serviceHarness({ knownHosts });
  harnesses.push(h);
  return h;
}

const draft = (s: OwnSshd, name: string, address = OWN_SSHD_ADDRESS) => ({
  name,
  address,
  port: s.port,
  user: s.user,
  auth: { kind: 'key' as const, keyPath: s.clientKey },
  // The test driver: the connect's own follow-up needs no running libvirtd.
  libvirtUri: 'test:///default',
});

describe('host keys of a real sshd that has ed25519 and ECDSA keys', () => {
  it('connects without a question when known_hosts holds only its ECDSA key', async () => {
    const s = await sshd({ hostKeyTypes: ['ed25519', 'ecdsa'] });
    const h = harness(`[${OWN_SSHD_ADDRESS}]:${s.port} ${s.hostKeys.ecdsa!.line}\n`);
    const host = await h.call('hosts.save', draft(s, 'ecdsa-known'));
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'connected',
      hostKey: { type: s.hostKeys.ecdsa!.type },
    });
  });

  it('finds its hashed known_hosts line whatever the case of the address in the profile', async () => {
    const s = await sshd({ hostKeyTypes: ['ed25519', 'ecdsa'] });
    const h = harness(`[localhost]:${s.port} ${s.hostKeys.ecdsa!.line}\n`);
    // Hashed as OpenSSH hashes it: the lower-case name.
    execFileSync('ssh-keygen', ['-q', '-H', '-f', h.knownHostsPath]);
    expect(readFileSync(h.knownHostsPath, 'utf8')).toMatch(/^\|1\|/);
    const host = await h.call('hosts.save', draft(s, 'case', 'LocalHost'));
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'connected',
      hostKey: { type: s.hostKeys.ecdsa!.type },
    });
  });

  it('still asks about the ed25519 key when known_hosts knows nothing of the host', async () => {
    const s = await sshd({ hostKeyTypes: ['ed25519', 'ecdsa'] });
    const h = harness('');
    const host = await h.call('hosts.save', draft(s, 'unknown'));
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'host-key-unknown',
      hostKey: { type: 'ssh-ed25519' },
      knownTypes: [],
    });
  });
});

describe('a real sshd that signs its RSA host key only with SHA-1 (HostKeyAlgorithms ssh-rsa)', () => {
  it('is refused by default, saying why and how to allow it; accepted where the host allows it', async () => {
    const s = await sshd({ hostKeyTypes: ['rsa'], extraConfig: ['HostKeyAlgorithms ssh-rsa'] });
    const h = harness(`[${OWN_SSHD_ADDRESS}]:${s.port} ${s.hostKeys.rsa!.line}\n`);
    const host = await h.call('hosts.save', draft(s, 'sha1-only'));
    const err = await h.callError('hosts.connect', { hostId: host.id });
    expect(err.code).toBe('connect-failed');
    expect(err.message).toContain('offers only legacy SSH host key algorithms (ssh-rsa)');
    expect(err.cause).toContain('the host offers: ssh-rsa');
    expect(err.remedy).toContain('Allow legacy SSH algorithms');

    const legacy = await h.call('hosts.save', {
      ...draft(s, 'sha1-only'),
      id: host.id,
      allowLegacyAlgorithms: true,
    });
    expect(legacy.allowLegacyAlgorithms).toBe(true);
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'connected',
      hostKey: { type: 'ssh-rsa' },
    });
  });

  it('connects with SHA-2 signatures to an RSA host key sshd may sign either way', async () => {
    const s = await sshd({ hostKeyTypes: ['rsa'], extraConfig: ['LogLevel DEBUG1'] });
    const h = harness(`[${OWN_SSHD_ADDRESS}]:${s.port} ${s.hostKeys.rsa!.line}\n`);
    const host = await h.call('hosts.save', draft(s, 'rsa-sha2'));
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'connected',
      hostKey: { type: 'ssh-rsa' },
    });
    // sshd's own word on what was negotiated.
    expect(s.log()).toMatch(/kex: host key algorithm: rsa-sha2-512/);
  });
});
