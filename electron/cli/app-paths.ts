import type { Settings } from '../../shared/settings';
import { defaultConfigDir, defaultDataDir, defaultKnownHostsPath } from '../services/config/paths';
import type { Globals } from './parse-args';

/**
 * The files the command line uses are the app's own: the same rules as the app's shells
 * (electron/services/config/paths.ts): the environment first, then the app's settings, then the
 * usual places. `--data-dir` and `--known-hosts` stand for QUIESCE_DATA_DIR and
 * QUIESCE_KNOWN_HOSTS. Pure.
 */
export function cliEnv(env: NodeJS.ProcessEnv, globals: Globals): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(globals.dataDir ? { QUIESCE_DATA_DIR: globals.dataDir } : {}),
    ...(globals.knownHosts ? { QUIESCE_KNOWN_HOSTS: globals.knownHosts } : {}),
  };
}

/** The data folder and known_hosts file, once the settings are read (undefined: none). */
export function appPaths(
  env: NodeJS.ProcessEnv,
  settings: Settings | undefined,
): { configDir: string; dataDir: string; knownHostsPath: string } {
  const configDir = defaultConfigDir(env);
  return {
    configDir,
    dataDir: defaultDataDir(env, settings, configDir),
    knownHostsPath: defaultKnownHostsPath(env, settings),
  };
}
