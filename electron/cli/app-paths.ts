import type { Globals } from './parse-args';

/**
 * The files the command line uses are the app's own, found as the app's shells find them
 * (`resolveAppPaths` in electron/services/config/paths.ts): the environment first, then the app's
 * settings, then the usual places. `--data-dir` and `--known-hosts` stand for QUIESCE_DATA_DIR
 * and QUIESCE_KNOWN_HOSTS. Pure.
 */
export function cliEnv(env: NodeJS.ProcessEnv, globals: Globals): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(globals.dataDir ? { QUIESCE_DATA_DIR: globals.dataDir } : {}),
    ...(globals.knownHosts ? { QUIESCE_KNOWN_HOSTS: globals.knownHosts } : {}),
  };
}
