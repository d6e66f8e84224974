import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../../shared/settings';
import { SettingsStore } from './settings-store';

/** The two paths a setting may name (shared/settings.ts); null or absent: the default. */
type PathSettings = Pick<Settings, 'dataDir' | 'knownHostsPath'>;

/**
 * Where Quiesce keeps its things: an environment override first (so tests and the demo never
 * touch the admin's real files), then the admin's settings, then the usual place.
 */
export function defaultKnownHostsPath(
  env: NodeJS.ProcessEnv = process.env,
  settings?: PathSettings,
): string {
  return (
    env.QUIESCE_KNOWN_HOSTS || settings?.knownHostsPath || join(homedir(), '.ssh', 'known_hosts')
  );
}

/** The app's own folder, where the settings file lives (and the data, unless a setting moves it). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QUIESCE_DATA_DIR) return env.QUIESCE_DATA_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'Quiesce');
}

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  settings?: PathSettings,
  configDir: string = defaultConfigDir(env),
): string {
  if (env.QUIESCE_DATA_DIR) return env.QUIESCE_DATA_DIR;
  return settings?.dataDir || configDir;
}

/**
 * The folders a shell starts from: the settings file in the app's own folder, and the data folder
 * and known_hosts that it (or the environment) names. The desktop shell, the browser shell and the
 * command line all start here, so a folder moved in Settings is the one each of them uses.
 * An unreadable settings file falls back to the defaults (Settings shows what was dropped).
 */
export async function resolveAppPaths(
  env: NodeJS.ProcessEnv = process.env,
  configDir: string = defaultConfigDir(env),
): Promise<{ configDir: string; dataDir: string; knownHostsPath: string; settings?: Settings }> {
  const settings = await new SettingsStore(configDir).read().catch(() => undefined);
  return {
    configDir,
    dataDir: defaultDataDir(env, settings, configDir),
    knownHostsPath: defaultKnownHostsPath(env, settings),
    ...(settings ? { settings } : {}),
  };
}
