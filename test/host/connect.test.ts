import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  labHostDraft,
  labProfile,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';

/**
 * Host tier: the real services against the lab's real OpenSSH sshd on 127.0.0.1, with real keys
 * and real known_hosts files.
 */
let p: LabProfileShape;
let labKeyLine: string;
beforeAll(() => {
  p = labProfile();
  labKeyLine = readFileSync(p.knownHostsPath, 'utf8').trim().split('\n')[0]!;
});

const harnesses: ReturnType<typeof serviceHarness>[] = [];
function harness(opts?: Parameters<typeof serviceHarness>[0]) {
  const h = serviceHarness(opts);
  harnesses.push(h);
  return h;
}
afterEach(() => {
  for (const h of harnesses.splice(0)) h.dispose();
});

function keygen(path: string, passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', path]);
}

describe('host keys against a real sshd', () => {
  it('shows an unknown key with its real fingerprint, and connects when accepted once', async () => {
    const h = harness();
    const host = await h.call('hosts.save', labHostDraft(p));
    const first = await h.call('hosts.connect', { hostId: host.id });
    expect(first).toMatchObject({
      status: 'host-key-unknown',
      hostKey: { type: p.hostKeyType, fingerprint: p.hostKeyFingerprint },
    });
    // The fingerprint is what OpenSSH itself computes for the key sshd serves.
    const scanned = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', p.knownHostsPath], {
      encoding: 'utf8',
    });
    expect(scanned).toContain(p.hostKeyFingerprint);

    const once = await h.call('hosts.connect', {
      hostId: host.id,
      trust: { fingerprint: p.hostKeyFingerprint, save: false },
    });
    expect(once).toEqual({
      status: 'connected',
      hostKey: { type: p.hostKeyType, fingerprint: p.hostKeyFingerprint },
    });
    expect(readFileSync(h.knownHostsPath, 'utf8')).toBe('');
    expect(h.events.filter((e) => e.type === 'connection').map((e) => e.state)).toContain(
      'connected',
    );

    await h.call('hosts.disconnect', { hostId: host.id });
    expect((await h.call('hosts.connect', { hostId: host.id })).status).toBe('host-key-unknown');
  });

  it('does not connect when the accepted fingerprint is not the one offered', async () => {
    const h = harness();
    const host = await h.call('hosts.save', labHostDraft(p));
    const r = await h.call('hosts.connect', {
      hostId: host.id,
      trust: { fingerprint: 'SHA256:' + 'A'.repeat(43), save: true },
    });
    expect(r.status).toBe('host-key-unknown');
    expect(readFileSync(h.knownHostsPath, 'utf8')).toBe('');
  });

  it('saves an accepted key as a hashed line OpenSSH finds, and trusts it next time', async () => {
    const h = harness();
    const host = await h.call('hosts.save', labHostDraft(p));
    await h.call('hosts.connect', {
      hostId: host.id,
      trust: { fingerprint: p.hostKeyFingerprint, save: true },
    });
    const saved = readFileSync(h.knownHostsPath, 'utf8');
    expect(saved).toMatch(/^\|1\|/);
    expect(saved).not.toContain(p.address);
    const found = execFileSync(
      'ssh-keygen',
      ['-F', `[${p.address}]:${p.port}`, '-f', h.knownHostsPath],
      {
        encoding: 'utf8',
      },
    );
    expect(found).toContain(labKeyLine.split(' ')[2]!);
    // And real OpenSSH accepts the file we wrote.
    const ssh = spawnSync('ssh', [
      '-i',
      p.keyPath,
      '-p',
      String(p.port),
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${h.knownHostsPath}`,
      `${p.user}@${p.address}`,
      'true',
    ]);
    expect(ssh.status, ssh.stderr?.toString()).toBe(0);

    await h.call('hosts.disconnect', { hostId: host.id });
    expect((await h.call('hosts.connect', { hostId: host.id })).status).toBe('connected');
  });

  it('refuses a changed key, showing the expected and the offered fingerprints', async () => {
    const other = join(serviceHarness().dir, 'other');
    keygen(other);
    const otherB64 = readFileSync(`${other}.pub`, 'utf8').split(' ')[1]!;
    const otherFp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${other}.pub`], {
      encoding: 'utf8',
    }).split(' ')[1];
    const h = harness({ knownHosts: `# note\n[${p.address}]:${p.port} ssh-ed25519 ${otherB64}\n` });
    const host = await h.call('hosts.save', labHostDraft(p));
    const r = await h.call('hosts.connect', {
      hostId: host.id,
      // Even a trust decision cannot override a changed key.
      trust: { fingerprint: p.hostKeyFingerprint, save: true },
    });
    expect(r).toEqual({
      status: 'host-key-changed',
      hostKey: { type: 'ssh-ed25519', fingerprint: p.hostKeyFingerprint },
      expected: [{ type: 'ssh-ed25519', fingerprint: otherFp, line: 2 }],
      knownHostsPath: h.knownHostsPath,
    });
  });

  it('refuses a revoked key', async () => {
    const h = harness({
      knownHosts: `${labKeyLine}\n@revoked * ${labKeyLine.split(' ').slice(1).join(' ')}\n`,
    });
    const host = await h.call('hosts.save', labHostDraft(p));
    expect(await h.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'host-key-revoked',
      line: 2,
    });
  });
});

describe('authentication', () => {
  it('logs in through a real ssh-agent', async () => {
    const h0 = harness();
    const sock = join(h0.dir, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
    try {
      execFileSync('ssh-add', ['-q', p.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const h = harness({ knownHosts: labKeyLine + '\n', agentSocket: sock });
      const host = await h.call('hosts.save', labHostDraft(p, { auth: { kind: 'agent' } }));
      expect((await h.call('hosts.connect', { hostId: host.id })).status).toBe('connected');
    } finally {
      process.kill(pid);
    }
  });

  it('asks for the passphrase of an encrypted key, tells a wrong one, and connects with the right one', async () => {
    const h = harness({ knownHosts: labKeyLine + '\n' });
    const encrypted = join(h.dir, 'encrypted_key');
    copyFileSync(p.keyPath, encrypted);
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'correct horse', '-f', encrypted]);
    const host = await h.call(
      'hosts.save',
      labHostDraft(p, { auth: { kind: 'key', keyPath: encrypted } }),
    );
    expect(await h.call('hosts.connect', { hostId: host.id })).toEqual({
      status: 'passphrase-required',
      keyPath: encrypted,
      wrong: false,
    });
    expect(await h.call('hosts.connect', { hostId: host.id, passphrase: 'nope' })).toMatchObject({
      status: 'passphrase-required',
      wrong: true,
    });
    expect(
      (await h.call('hosts.connect', { hostId: host.id, passphrase: 'correct horse' })).status,
    ).toBe('connected');
    // The passphrase is never written to the data folder.
    const saved = readFileSync(join(h.dir, 'data', 'hosts.json'), 'utf8');
    expect(saved).not.toContain('correct horse');
  });

  it('remembers a passphrase sealed by the OS keychain and connects with it after a restart', async () => {
    // safeStorage as a desktop with a keyring offers it (sealing by XOR: only the test can open it).
    const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
    const keychain = {
      unavailableReason: () => undefined,
      seal: (plain: string) => xor(Buffer.from(plain)),
      open: (sealed: Buffer) => xor(sealed).toString(),
    };
    const first = harness({ knownHosts: labKeyLine + '\n', keychain });
    const encrypted = join(first.dir, 'encrypted_key');
    copyFileSync(p.keyPath, encrypted);
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'correct horse', '-f', encrypted]);
    const dataDir = join(first.dir, 'data');
    const host = await first.call(
      'hosts.save',
      labHostDraft(p, { auth: { kind: 'key', keyPath: encrypted } }),
    );
    const connected = await first.call('hosts.connect', {
      hostId: host.id,
      passphrase: 'correct horse',
      rememberPassphrase: true,
    });
    expect(connected).toMatchObject({ status: 'connected' });
    expect(connected).not.toHaveProperty('passphraseNotRemembered');
    expect(readFileSync(join(dataDir, 'passphrases.json'), 'utf8')).not.toContain('correct horse');
    first.dispose();

    // The app starts again: no prompt, the keychain's passphrase opens the key.
    const again = harness({ knownHosts: labKeyLine + '\n', keychain, dataDir });
    expect(await again.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'connected',
      usedRememberedPassphrase: true,
    });
    expect((await again.call('secrets.status', {})).keyPaths).toEqual([encrypted]);

    // The browser shell has no keychain: it asks, and says why it cannot remember.
    const browser = harness({ knownHosts: labKeyLine + '\n', dataDir });
    expect(await browser.call('hosts.connect', { hostId: host.id })).toMatchObject({
      status: 'passphrase-required',
    });
    expect(
      await browser.call('hosts.connect', {
        hostId: host.id,
        passphrase: 'correct horse',
        rememberPassphrase: true,
      }),
    ).toMatchObject({ status: 'connected', passphraseNotRemembered: expect.any(String) });
  });

  it('explains a key the host does not accept', async () => {
    const h = harness({ knownHosts: labKeyLine + '\n' });
    const stranger = join(h.dir, 'stranger');
    keygen(stranger);
    const host = await h.call(
      'hosts.save',
      labHostDraft(p, { auth: { kind: 'key', keyPath: stranger } }),
    );
    const err = await h.callError('hosts.connect', { hostId: host.id });
    expect(err.code).toBe('auth-failed');
    expect(err.remedy).toMatch(/authorized_keys/);
  });

  it('explains a missing key file and a refused port', async () => {
    const h = harness({ knownHosts: labKeyLine + '\n' });
    const missing = await h.call(
      'hosts.save',
      labHostDraft(p, { auth: { kind: 'key', keyPath: '/nonexistent/key' } }),
    );
    expect(await h.callError('hosts.connect', { hostId: missing.id })).toMatchObject({
      code: 'key-file',
    });
    const closed = await h.call('hosts.save', labHostDraft(p, { port: 1 }));
    const err = await h.callError('hosts.connect', { hostId: closed.id });
    expect(err).toMatchObject({ code: 'connect-failed' });
    expect(err.message).toMatch(/refused/);
    expect(err.remedy).toBeTruthy();
  });
});
