import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideHostKey } from '../../electron/services/ssh/host-key-gate';
import { sha256Fingerprint } from '../../electron/services/ssh/fingerprint';
import { hostFieldMatches } from '../../electron/services/ssh/known-hosts';

/** An SSH public key blob as a host offers it: its type, then its key bytes, each length-prefixed. */
function keyBlob(type = 'ssh-ed25519'): Buffer {
  const withLength = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length, 0);
    return Buffer.concat([len, b]);
  };
  return Buffer.concat([withLength(Buffer.from(type)), withLength(randomBytes(32))]);
}
const line = (hosts: string, blob: Buffer, type = 'ssh-ed25519') =>
  `${hosts} ${type} ${blob.toString('base64')}`;

/** A known_hosts path in a fresh folder: with this text, or not there at all (nor its folder). */
function knownHosts(text?: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'quiesce-gate-')), 'ssh');
  if (text !== undefined) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'known_hosts'), text);
  }
  return join(dir, 'known_hosts');
}

describe('the host-key gate', () => {
  it('accepts a key known_hosts lists for this host and port', async () => {
    const key = keyBlob();
    const path = knownHosts(`${line('[192.0.2.10]:2222', key)}\n`);
    expect(await decideHostKey(key, '192.0.2.10', 2222, path)).toEqual({
      accept: true,
      hostKey: { type: 'ssh-ed25519', fingerprint: sha256Fingerprint(key) },
    });
    // The same key for the same address on port 22 is another host to OpenSSH.
    expect(await decideHostKey(key, '192.0.2.10', 22, path)).toMatchObject({
      accept: false,
      refusal: { status: 'host-key-unknown' },
    });
  });

  it('shows an unknown key by its fingerprint, naming the key types already known', async () => {
    const rsa = keyBlob('ssh-rsa');
    const path = knownHosts(`${line('kvm1', rsa, 'ssh-rsa')}\n`);
    const key = keyBlob();
    expect(await decideHostKey(key, 'kvm1', 22, path)).toEqual({
      accept: false,
      refusal: {
        status: 'host-key-unknown',
        hostKey: { type: 'ssh-ed25519', fingerprint: sha256Fingerprint(key) },
        knownHostsPath: path,
        knownTypes: ['ssh-rsa'],
      },
    });
  });

  it('treats a missing known_hosts as empty', async () => {
    const path = knownHosts();
    expect(await decideHostKey(keyBlob(), 'kvm1', 22, path)).toMatchObject({
      accept: false,
      refusal: { status: 'host-key-unknown', knownTypes: [] },
    });
  });

  it('accepts an unknown key once when the admin accepted that exact fingerprint', async () => {
    const key = keyBlob();
    const path = knownHosts('');
    const trust = { fingerprint: sha256Fingerprint(key), save: false };
    expect(await decideHostKey(key, 'kvm1', 22, path, trust)).toMatchObject({ accept: true });
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('refuses when the host offers another key than the one the admin accepted', async () => {
    const path = knownHosts('');
    const trust = { fingerprint: sha256Fingerprint(keyBlob()), save: true };
    expect(await decideHostKey(keyBlob(), 'kvm1', 22, path, trust)).toMatchObject({
      accept: false,
      refusal: { status: 'host-key-unknown' },
    });
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('saves an accepted key as a hashed line that OpenSSH matches, after a missing newline', async () => {
    const key = keyBlob();
    const other = keyBlob();
    const path = knownHosts(line('other-host', other)); // no final newline
    const trust = { fingerprint: sha256Fingerprint(key), save: true };
    expect(await decideHostKey(key, 'kvm1', 2222, path, trust)).toMatchObject({ accept: true });
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0]).toBe(line('other-host', other));
    expect(lines[2]).toBe('');
    const [hosts, type, b64] = lines[1]!.split(' ');
    expect(hosts).toMatch(/^\|1\|/);
    expect(hostFieldMatches(hosts!, '[kvm1]:2222')).toBe(true);
    expect([type, b64]).toEqual(['ssh-ed25519', key.toString('base64')]);
    // Known from now on, without asking.
    expect(await decideHostKey(key, 'kvm1', 2222, path)).toMatchObject({ accept: true });
  });

  it('creates known_hosts (and its folder) private when there was none', async () => {
    const key = keyBlob();
    const path = knownHosts();
    const trust = { fingerprint: sha256Fingerprint(key), save: true };
    expect(await decideHostKey(key, 'kvm1', 22, path, trust)).toMatchObject({ accept: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
  });

  it('refuses a changed key, whatever the admin accepted, and lists the expected ones', async () => {
    const old = keyBlob();
    const path = knownHosts(`# kvm1\n${line('kvm1,192.0.2.10', old)}\n`);
    const now = keyBlob();
    const trust = { fingerprint: sha256Fingerprint(now), save: true };
    expect(await decideHostKey(now, '192.0.2.10', 22, path, trust)).toEqual({
      accept: false,
      refusal: {
        status: 'host-key-changed',
        hostKey: { type: 'ssh-ed25519', fingerprint: sha256Fingerprint(now) },
        knownHostsPath: path,
        expected: [{ type: 'ssh-ed25519', fingerprint: sha256Fingerprint(old), line: 2 }],
      },
    });
    expect(readFileSync(path, 'utf8')).not.toContain(now.toString('base64'));
  });

  it('refuses a revoked key even when it is also listed as trusted', async () => {
    const key = keyBlob();
    const path = knownHosts(`${line('kvm1', key)}\n@revoked ${line('*', key)}\n`);
    const trust = { fingerprint: sha256Fingerprint(key), save: true };
    expect(await decideHostKey(key, 'kvm1', 22, path, trust)).toMatchObject({
      accept: false,
      refusal: { status: 'host-key-revoked', line: 2, knownHostsPath: path },
    });
  });

  it('fails, rather than trusting, when known_hosts cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-gate-'));
    await expect(decideHostKey(keyBlob(), 'kvm1', 22, dir)).rejects.toThrow(/EISDIR/);
  });
});
