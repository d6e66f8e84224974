import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { autoConnectIds } from '../services/auto-connect';
import { resolveAppPaths } from '../services/config/paths';
import { SettingsStore } from '../services/config/settings-store';
import { startBrowserShell } from './server';

/**
 * `npm run web`: starts the browser shell and prints the one line other tools read:
 * `Quiesce is running at http://127.0.0.1:PORT/#token=…`.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.QUIESCE_PORT ?? '0' },
    'data-dir': { type: 'string' },
    'known-hosts': { type: 'string' },
  },
});

const here = dirname(fileURLToPath(import.meta.url));
// The same folders as the desktop app: a data folder or known_hosts moved in Settings applies here.
const paths = await resolveAppPaths();
const shell = await startBrowserShell({
  port: Number(values.port),
  rendererDir: process.env.QUIESCE_RENDERER_DIR ?? join(here, '..', 'renderer'),
  dataDir: values['data-dir'] ?? paths.dataDir,
  knownHostsPath: values['known-hosts'] ?? paths.knownHostsPath,
  // Settings live in the app's own folder, not in a data folder they may have moved.
  settings: new SettingsStore(paths.configDir),
  connectOnStart: autoConnectIds(),
  // Fault injection for the lab tier (an app killed while a guest is frozen); never set otherwise.
  ...(process.env.QUIESCE_FAULT_HOLD_FROZEN_MS
    ? { holdFrozenMs: Number(process.env.QUIESCE_FAULT_HOLD_FROZEN_MS) }
    : {}),
});
console.log(`Quiesce is running at ${shell.url}`);

const stop = () => {
  void shell.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
