import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hostFieldMatches,
  judgeHostKey,
  knownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../electron/services/ssh/known-hosts';
import { keyTypeOfBlob, sha256Fingerprint } from '../../electron/services/ssh/fingerprint';

/** Real keys from the real ssh-keygen, so blobs and fingerprints are what OpenSSH makes. */
interface Key {
  type: string;
  b64: string;
  blob: Buffer;
  fingerprint: string;
}
const dir = mkdtempSync(join(tmpdir(), 'quiesce-kh-'));
function makeKey(name: string, type = 'ed25519'): Key {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
  const [t, b64] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/) as [string, string];
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], {
    encoding: 'utf8',
  }).split(/\s+/)[1]!;
  return { type: t, b64, blob: Buffer.from(b64, 'base64'), fingerprint: fp };
}

let a: Key, b: Key, rsa: Key, ec: Key;
beforeAll(() => {
  a = makeKey('a');
  b = makeKey('b');
  rsa = makeKey('rsa', 'rsa');
  ec = makeKey('ec', 'ecdsa');
});

describe('fingerprints', () => {
  it('match ssh-keygen -l -E sha256', () => {
    expect(sha256Fingerprint(a.blob)).toBe(a.fingerprint);
    expect(sha256Fingerprint(rsa.blob)).toBe(rsa.fingerprint);
  });
  it('read the key type from the blob', () => {
    expect(keyTypeOfBlob(a.blob)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(rsa.blob)).toBe('ssh-rsa');
    expect(keyTypeOfBlob(Buffer.alloc(2))).toBe('unknown');
  });
});

describe('known_hosts matching', () => {
  it('names non-22 ports as [host]:port', () => {
    expect(knownHostsName('h', 22)).toBe('h');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('trusts a plain entry and tells a changed key', () => {
    const entries = parseKnownHosts(`# comment\n\nhost1,host2 ${a.type} ${a.b64}\n`);
    expect(judgeHostKey(entries, 'host2', 22, a.type, a.blob)).toEqual({
      kind: 'trusted',
      line: 3,
    });
    const changed = judgeHostKey(entries, 'host1', 22, b.type, b.blob);
    expect(changed.kind).toBe('changed');
    if (changed.kind === 'changed') expect(changed.expected[0]!.line).toBe(3);
    expect(judgeHostKey(entries, 'other', 22, a.type, a.blob).kind).toBe('unknown');
  });

  it('keeps ports apart', () => {
    const entries = parseKnownHosts(`[h]:2222 ${a.type} ${a.b64}\n`);
    expect(judgeHostKey(entries, 'h', 2222, a.type, a.blob).kind).toBe('trusted');
    expect(judgeHostKey(entries, 'h', 22, a.type, a.blob).kind).toBe('unknown');
    expect(judgeHostKey(entries, 'h', 2223, a.type, a.blob).kind).toBe('unknown');
  });

  it('matches hashed entries made by ssh-keygen -H, and its own, as ssh-keygen -F finds them', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `[10.0.0.5]:2222 ${a.type} ${a.b64}\nplainhost ${b.type} ${b.b64}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('10.0.0.5');
    const entries = parseKnownHosts(text);
    expect(judgeHostKey(entries, '10.0.0.5', 2222, a.type, a.blob).kind).toBe('trusted');
    expect(judgeHostKey(entries, '10.0.0.5', 22, a.type, a.blob).kind).toBe('unknown');
    expect(judgeHostKey(entries, 'plainhost', 22, b.type, b.blob).kind).toBe('trusted');

    // A line we write must be found by OpenSSH itself.
    const ours = join(dir, 'ours');
    writeFileSync(ours, knownHostsLine('192.0.2.7', 2200, a.type, a.blob) + '\n');
    const found = execFileSync('ssh-keygen', ['-F', '[192.0.2.7]:2200', '-f', ours], {
      encoding: 'utf8',
    });
    expect(found).toContain(a.b64);
    expect(
      judgeHostKey(parseKnownHosts(readFileSync(ours, 'utf8')), '192.0.2.7', 2200, a.type, a.blob)
        .kind,
    ).toBe('trusted');
  });

  it('supports wildcards and negation', () => {
    expect(hostFieldMatches('*.example.com', 'db.example.com')).toBe(true);
    expect(hostFieldMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostFieldMatches('host?', 'host1')).toBe(true);
    expect(hostFieldMatches('host?', 'host12')).toBe(false);
    expect(hostFieldMatches('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(hostFieldMatches('*.example.com,!bad.example.com', 'good.example.com')).toBe(true);
    expect(hostFieldMatches('!bad.example.com', 'good.example.com')).toBe(false);
    expect(hostFieldMatches('[10.0.0.*]:2222', '[10.0.0.9]:2222')).toBe(true);
    expect(hostFieldMatches('HOST.Example.com', 'host.example.COM')).toBe(true);
    expect(hostFieldMatches('a.b', 'aXb')).toBe(false); // "." is literal
    const entries = parseKnownHosts(`*.lab,!evil.lab ${a.type} ${a.b64}\n`);
    expect(judgeHostKey(entries, 'kvm1.lab', 22, a.type, a.blob).kind).toBe('trusted');
    expect(judgeHostKey(entries, 'evil.lab', 22, a.type, a.blob).kind).toBe('unknown');
  });

  it('refuses a revoked key even when it is also listed as trusted', () => {
    const entries = parseKnownHosts(
      `h ${a.type} ${a.b64}\n@revoked h ${a.type} ${a.b64}\n@revoked * ${b.type} ${b.b64}\n`,
    );
    expect(judgeHostKey(entries, 'h', 22, a.type, a.blob)).toEqual({ kind: 'revoked', line: 2 });
    expect(judgeHostKey(entries, 'anyhost', 22, b.type, b.blob)).toEqual({
      kind: 'revoked',
      line: 3,
    });
  });

  it('ignores @cert-authority lines and malformed lines', () => {
    const entries = parseKnownHosts(
      `@cert-authority * ${a.type} ${a.b64}\ngarbage\n@weird h ${a.type} ${a.b64}\n`,
    );
    expect(entries).toHaveLength(1);
    expect(judgeHostKey(entries, 'h', 22, a.type, a.blob).kind).toBe('unknown');
  });

  it('reports other key types known for the host', () => {
    const entries = parseKnownHosts(`h ${rsa.type} ${rsa.b64}\n`);
    expect(judgeHostKey(entries, 'h', 22, a.type, a.blob)).toEqual({
      kind: 'unknown',
      knownTypes: ['ssh-rsa'],
    });
  });
});

describe('host names, case-insensitively as OpenSSH', () => {
  it('lower-cases the name it looks up, [host]:port included', () => {
    expect(knownHostsName('KVM1.Example.COM', 22)).toBe('kvm1.example.com');
    expect(knownHostsName('KVM1', 2222)).toBe('[kvm1]:2222');
  });

  it('finds a hashed entry that ssh-keygen -H made, whatever the case of the name asked', () => {
    const file = join(dir, 'hashed-case');
    writeFileSync(file, `[kvm1.lab]:2222 ${a.type} ${a.b64}\nkvm2.lab ${b.type} ${b.b64}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    expect(judgeHostKey(entries, 'KVM1.Lab', 2222, a.type, a.blob).kind).toBe('trusted');
    expect(judgeHostKey(entries, 'Kvm2.LAB', 22, b.type, b.blob).kind).toBe('trusted');
  });

  it('hashes the lower-case name when it saves, so OpenSSH finds the line', () => {
    const ours = join(dir, 'ours-case');
    writeFileSync(ours, knownHostsLine('KVM3.Lab', 2200, a.type, a.blob) + '\n');
    const found = execFileSync('ssh-keygen', ['-F', '[kvm3.lab]:2200', '-f', ours], {
      encoding: 'utf8',
    });
    expect(found).toContain(a.b64);
    const entries = parseKnownHosts(readFileSync(ours, 'utf8'));
    expect(judgeHostKey(entries, 'kvm3.lab', 2200, a.type, a.blob).kind).toBe('trusted');
  });

  it('matches plain patterns in any case, brackets and port included', () => {
    const entries = parseKnownHosts(`[KVM4.lab]:2222 ${a.type} ${a.b64}\n`);
    expect(judgeHostKey(entries, 'kvm4.LAB', 2222, a.type, a.blob).kind).toBe('trusted');
  });
});

describe('the key types known for a host', () => {
  it('lists the types trusted for this host and port only, in file order', () => {
    const entries = parseKnownHosts(
      [
        `[h]:2222 ${ec.type} ${ec.b64}`,
        `h ${a.type} ${a.b64}`,
        `|1|${'x'.repeat(28)}|${'y'.repeat(28)} ${b.type} ${b.b64}`,
        `[H]:2222 ${rsa.type} ${rsa.b64}`,
      ].join('\n'),
    );
    expect(knownKeyTypes(entries, 'h', 2222)).toEqual([ec.type, 'ssh-rsa']);
    expect(knownKeyTypes(entries, 'H', 22)).toEqual([a.type]);
    expect(knownKeyTypes(entries, 'other', 22)).toEqual([]);
  });

  it('leaves out revoked keys and certificate authorities', () => {
    const entries = parseKnownHosts(
      [
        `h ${ec.type} ${ec.b64}`,
        `@revoked h ${ec.type} ${ec.b64}`,
        `@cert-authority h ${a.type} ${a.b64}`,
        `h ${rsa.type} ${rsa.b64}`,
      ].join('\n'),
    );
    expect(knownKeyTypes(entries, 'h', 22)).toEqual(['ssh-rsa']);
  });
});
