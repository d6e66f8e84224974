import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import {
  expandIdentityFile,
  resolveHost,
  type ResolvedSshHost,
  type SshConfigSources,
} from './ssh-config';

const { utils } = ssh2;

/** A jump host as the connection opens it: address, login and what to log in with. */
export interface JumpHopTarget {
  host: string;
  port: number;
  user: string;
  privateKey?: Buffer;
  agent?: string;
  agentFirst: boolean;
}

/** ssh's default identities, tried where the config names none. */
const DEFAULT_IDENTITIES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

/**
 * The first identity file that exists and opens without a passphrase: a hop has no prompt of its
 * own (its encrypted keys are expected in the agent, as with `ssh -J` in a session with an agent).
 */
async function usableKey(
  host: ResolvedSshHost,
  src: SshConfigSources,
): Promise<Buffer | undefined> {
  const files = host.identityFiles.length > 0 ? host.identityFiles : DEFAULT_IDENTITIES;
  for (const f of files) {
    let key: Buffer;
    try {
      key = await readFile(expandIdentityFile(f, host, src));
    } catch {
      continue;
    }
    const parsed = utils.parseKey(key);
    if (!(parsed instanceof Error)) return key;
  }
  return undefined;
}

async function hopTarget(
  resolved: ResolvedSshHost,
  src: SshConfigSources,
  agent: string | undefined,
): Promise<JumpHopTarget> {
  const key = await usableKey(resolved, src);
  const useAgent = resolved.identitiesOnly ? undefined : agent;
  return {
    host: resolved.hostName,
    port: resolved.port,
    user: resolved.user,
    ...(key ? { privateKey: key } : {}),
    ...(useAgent ? { agent: useAgent } : {}),
    agentFirst: true,
  };
}

/**
 * The jump hosts to go through for a resolved alias, first hop first. As `ssh -J a,b target`: each
 * hop is itself looked up in the config (a `user@` or `:port` written in ProxyJump wins), and only
 * the first hop's own ProxyJump is followed (ssh reaches it with a plain `ssh a`, but gives `b` its
 * hop on the command line, which overrides b's config).
 */
export async function jumpHopsFor(
  target: ResolvedSshHost,
  src: SshConfigSources,
  agent: string | undefined,
  depth = 0,
): Promise<JumpHopTarget[]> {
  if (depth > 8) throw new Error(`ProxyJump loops through ${target.alias}`);
  const out: JumpHopTarget[] = [];
  for (const [i, hop] of target.proxyJump.entries()) {
    const base = resolveHost(src, hop.host);
    const resolved: ResolvedSshHost = {
      ...base,
      ...(hop.user ? { user: hop.user } : {}),
      ...(hop.port ? { port: hop.port } : {}),
    };
    if (i === 0) out.push(...(await jumpHopsFor(resolved, src, agent, depth + 1)));
    out.push(await hopTarget(resolved, src, agent));
  }
  return out;
}
