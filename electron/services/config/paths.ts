import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Quiesce keeps its things when no shell says otherwise. Environment overrides exist so
 * tests and the demo never touch the admin's real files.
 */
export function defaultKnownHostsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.QUIESCE_KNOWN_HOSTS || join(homedir(), '.ssh', 'known_hosts');
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QUIESCE_DATA_DIR) return env.QUIESCE_DATA_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'Quiesce');
}
