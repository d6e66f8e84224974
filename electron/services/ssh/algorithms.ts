/**
 * The SSH algorithms Quiesce offers, named explicitly instead of taking ssh2's defaults, which
 * still accept SHA-1 (`ssh-rsa` host keys, `hmac-sha1`) and SHA-1 key exchanges. The modern
 * lists follow OpenSSH 9's client defaults, less what ssh2 lacks (sntrup761x25519). The legacy
 * ones are offered only for a host whose profile allows them, and always after every modern one.
 */

import type { CipherAlgorithm, KexAlgorithm, MacAlgorithm, ServerHostKeyAlgorithm } from 'ssh2';

/** ssh2's `algorithms` option, each list exact (ssh2 refuses a name it does not implement). */
export interface AlgorithmLists {
  kex: KexAlgorithm[];
  serverHostKey: ServerHostKeyAlgorithm[];
  cipher: CipherAlgorithm[];
  hmac: MacAlgorithm[];
}
export type AlgorithmKind = keyof AlgorithmLists;

export const MODERN_ALGORITHMS: Readonly<AlgorithmLists> = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  // RSA keys stay usable, signed with SHA-2 (RFC 8332).
  serverHostKey: [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
  ],
  cipher: [
    'chacha20-poly1305@openssh.com',
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'aes128-ctr',
    'aes192-ctr',
    'aes256-ctr',
  ],
  hmac: [
    'hmac-sha2-256-etm@openssh.com',
    'hmac-sha2-512-etm@openssh.com',
    'hmac-sha2-256',
    'hmac-sha2-512',
  ],
};

/** What an old sshd may need: SHA-1 signatures, MACs and key exchanges, 1024-bit DH, CBC. */
export const LEGACY_ALGORITHMS: Readonly<AlgorithmLists> = {
  kex: [
    'diffie-hellman-group14-sha1',
    'diffie-hellman-group-exchange-sha1',
    'diffie-hellman-group1-sha1',
  ],
  serverHostKey: ['ssh-rsa', 'ssh-dss'],
  cipher: ['aes256-cbc', 'aes192-cbc', 'aes128-cbc', '3des-cbc'],
  hmac: ['hmac-sha1-etm@openssh.com', 'hmac-sha1'],
};

/** The key type (as known_hosts names it) behind a host-key algorithm: RSA signs three ways. */
export function keyTypeOfAlgorithm(algorithm: string): string {
  return algorithm === 'rsa-sha2-512' || algorithm === 'rsa-sha2-256' ? 'ssh-rsa' : algorithm;
}

/**
 * Host-key algorithms for the key types known_hosts already holds for this host come first, the
 * rest after, each group in the given order: OpenSSH does the same (order_hostkeyalgs in
 * sshconnect2.c), so a host known by its ECDSA key is asked for that key and is not shown as
 * unknown with the ed25519 key it would otherwise prefer.
 */
export function orderHostKeyAlgorithms<A extends string>(
  algorithms: readonly A[],
  knownTypes: readonly string[],
): A[] {
  const known = new Set(knownTypes);
  const first = algorithms.filter((a) => known.has(keyTypeOfAlgorithm(a)));
  return [...first, ...algorithms.filter((a) => !first.includes(a))];
}

/** The lists for one connect: modern (plus legacy when the host allows it), known types first. */
export function algorithmsFor(opts: {
  knownTypes: readonly string[];
  allowLegacy: boolean;
}): AlgorithmLists {
  const list = <K extends AlgorithmKind>(kind: K): AlgorithmLists[K] =>
    [
      ...MODERN_ALGORITHMS[kind],
      ...(opts.allowLegacy ? LEGACY_ALGORITHMS[kind] : []),
    ] as AlgorithmLists[K];
  return {
    kex: list('kex'),
    serverHostKey: orderHostKeyAlgorithms(list('serverHostKey'), opts.knownTypes),
    cipher: list('cipher'),
    hmac: list('hmac'),
  };
}

/** ssh2's words for each list, in its "Handshake failed: no matching …" errors and debug lines. */
const SSH2_NAMES: Record<AlgorithmKind, RegExp> = {
  kex: /key exchange|KEX method/i,
  serverHostKey: /host key format/i,
  cipher: /cipher/i,
  hmac: /MAC/,
};

/** The kind of list a "Handshake failed: no matching …" error is about, if it is one. */
export function failedNegotiation(message: string): AlgorithmKind | undefined {
  const m = /no matching (.*)$/i.exec(message);
  if (!m) return undefined;
  return (Object.keys(SSH2_NAMES) as AlgorithmKind[]).find((k) => SSH2_NAMES[k].test(m[1]!));
}

/**
 * Collects what the server offered from ssh2's debug lines ("Handshake: (remote) KEX method:
 * a,b,c"), so a failed negotiation can say what the host would have accepted.
 */
export class ServerOffer {
  readonly offered: Partial<Record<AlgorithmKind, string[]>> = {};

  /** Feed every ssh2 debug line; all but the server's lists are ignored. */
  readonly onDebug = (line: string): void => {
    const m = /^Handshake: \(remote\) (.+?): (.*)$/.exec(line);
    if (!m) return;
    const kind = (Object.keys(SSH2_NAMES) as AlgorithmKind[]).find((k) =>
      SSH2_NAMES[k].test(m[1]!),
    );
    // The client-to-server list is the one negotiated first; keep the first seen.
    if (kind && !this.offered[kind]) this.offered[kind] = m[2]!.split(',').filter(Boolean);
  };
}

/** The legacy algorithms among what the server offered for this list. */
export function legacyOffered(kind: AlgorithmKind, offered: readonly string[]): string[] {
  const legacy: readonly string[] = LEGACY_ALGORITHMS[kind];
  return offered.filter((a) => legacy.includes(a));
}
