import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConnectResult, HostKey, HostKeyTrust } from '../../../shared/hosts';
import { sha256Fingerprint, keyTypeOfBlob } from './fingerprint';
import { judgeHostKey, knownHostsLine, knownKeyTypes, parseKnownHosts } from './known-hosts';

/** A host-key outcome that stops the connect and goes to the admin (anything but "connected"). */
export type HostKeyRefusal = Exclude<
  ConnectResult,
  { status: 'connected' | 'passphrase-required' }
>;

export type GateDecision =
  { accept: true; hostKey: HostKey } | { accept: false; refusal: HostKeyRefusal };

async function readKnownHosts(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** The key types known_hosts trusts for this host, read before connecting to order algorithms. */
export async function knownKeyTypesFor(
  knownHostsPath: string,
  host: string,
  port: number,
): Promise<string[]> {
  return knownKeyTypes(parseKnownHosts(await readKnownHosts(knownHostsPath)), host, port);
}

/**
 * Decides whether to accept the key a host offers (docs/ARCHITECTURE.md, "Known host keys"): known
 * → accept; unknown → accept only if the admin already accepted this exact fingerprint (`trust`),
 * saving it when asked; changed or revoked → refuse, whatever `trust` says.
 */
export async function decideHostKey(
  keyBlob: Buffer,
  host: string,
  port: number,
  knownHostsPath: string,
  trust?: HostKeyTrust,
): Promise<GateDecision> {
  const hostKey: HostKey = {
    type: keyTypeOfBlob(keyBlob),
    fingerprint: sha256Fingerprint(keyBlob),
  };
  const entries = parseKnownHosts(await readKnownHosts(knownHostsPath));
  const verdict = judgeHostKey(entries, host, port, hostKey.type, keyBlob);
  switch (verdict.kind) {
    case 'trusted':
      return { accept: true, hostKey };
    case 'revoked':
      return {
        accept: false,
        refusal: { status: 'host-key-revoked', hostKey, knownHostsPath, line: verdict.line },
      };
    case 'changed':
      return {
        accept: false,
        refusal: {
          status: 'host-key-changed',
          hostKey,
          knownHostsPath,
          expected: verdict.expected.map((e) => ({
            type: e.keyType,
            fingerprint: sha256Fingerprint(e.keyBlob),
            line: e.line,
          })),
        },
      };
    case 'unknown':
      if (trust && trust.fingerprint === hostKey.fingerprint) {
        if (trust.save) await appendKnownHost(knownHostsPath, host, port, hostKey.type, keyBlob);
        return { accept: true, hostKey };
      }
      return {
        accept: false,
        refusal: {
          status: 'host-key-unknown',
          hostKey,
          knownHostsPath,
          knownTypes: verdict.knownTypes,
        },
      };
  }
}

async function appendKnownHost(
  path: string,
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const existing = await readKnownHosts(path);
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(path, sep + knownHostsLine(host, port, keyType, keyBlob) + '\n', {
    mode: 0o600,
  });
}
