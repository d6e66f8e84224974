import { createHmac, randomBytes } from 'node:crypto';

/**
 * known_hosts, as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed
 * (`|1|salt|hash`) host fields, `[host]:port` for non-22 ports, `*`/`?` wildcards, `!` negation,
 * and the `@revoked` / `@cert-authority` markers. Pure logic: the caller reads and writes the file.
 */

export interface KnownHostEntry {
  /** 1-based line number, for messages that tell the admin which line to remove. */
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** The raw host field: comma-separated patterns, or one hashed `|1|…` token. */
  hosts: string;
  keyType: string;
  keyBlob: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH ignores the line too
    }
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) return;
    const keyBlob = Buffer.from(keyB64, 'base64');
    if (keyBlob.length === 0) return;
    entries.push({ line: i + 1, marker, hosts, keyType, keyBlob });
  });
  return entries;
}

/**
 * The name OpenSSH looks up for a host: `host` on port 22, `[host]:port` otherwise, lower-cased
 * first as ssh(1) does with the host name it is given: hashed entries hash the lower-case name,
 * so `KVM1` and `kvm1` are one host.
 */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** `*` and `?` glob, case-insensitive like OpenSSH's match_pattern for host names. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    'i',
  );
  return re.test(name);
}

function hashedMatch(token: string, name: string): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const parts = token.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const expected = parts[3] ?? '';
  return createHmac('sha1', salt).update(name).digest('base64') === expected;
}

/**
 * Does an entry's host field match `name`? OpenSSH semantics: any positive pattern must match
 * and no negated pattern may match (a negated match wins).
 */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, name);
  let positive = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      positive = true;
    }
  }
  return positive;
}

/** Entries that name this host, hashed or plain (a negated pattern wins, as in OpenSSH). */
function entriesFor(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) => hostFieldMatches(e.hosts, name));
}

/**
 * The key types known_hosts trusts for this host (revoked keys and CA lines aside), for ordering
 * the host-key algorithms the way OpenSSH does (algorithms.ts).
 */
export function knownKeyTypes(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
): string[] {
  const forHost = entriesFor(entries, host, port);
  const revoked = forHost.filter((e) => e.marker === 'revoked');
  return [
    ...new Set(
      forHost
        .filter((e) => e.marker === null && !revoked.some((r) => r.keyBlob.equals(e.keyBlob)))
        .map((e) => e.keyType),
    ),
  ];
}

export type HostKeyVerdict =
  | { kind: 'trusted'; line: number }
  | { kind: 'revoked'; line: number }
  | { kind: 'changed'; expected: { keyType: string; keyBlob: Buffer; line: number }[] }
  | { kind: 'unknown'; knownTypes: string[] };

/**
 * Judges the key a host offered against known_hosts. Order follows OpenSSH: a revoked key is
 * refused even if also listed as trusted; a listed key is trusted; another key of the same type
 * for the same host means the key changed; otherwise the key is unknown.
 */
export function judgeHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyVerdict {
  const forHost = entriesFor(entries, host, port);
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.keyBlob.equals(keyBlob));
  if (revoked) return { kind: 'revoked', line: revoked.line };
  // Certificate authorities vouch for host certificates, which this client does not use.
  const plain = forHost.filter((e) => e.marker === null);
  const same = plain.find((e) => e.keyBlob.equals(keyBlob));
  if (same) return { kind: 'trusted', line: same.line };
  const sameType = plain.filter((e) => e.keyType === keyType);
  if (sameType.length > 0) {
    return {
      kind: 'changed',
      expected: sameType.map((e) => ({ keyType: e.keyType, keyBlob: e.keyBlob, line: e.line })),
    };
  }
  return { kind: 'unknown', knownTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/**
 * A known_hosts line for a newly trusted key, hashed like OpenSSH's HashKnownHosts (Debian's
 * default) so the file does not list the admin's hosts in clear.
 */
export function knownHostsLine(
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
  salt: Buffer = randomBytes(20),
): string {
  const hash = createHmac('sha1', salt).update(knownHostsName(host, port)).digest('base64');
  return `|1|${salt.toString('base64')}|${hash} ${keyType} ${keyBlob.toString('base64')}`;
}
