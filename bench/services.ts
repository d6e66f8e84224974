/**
 * Loads the app's services for the bench.
 *
 * They cannot be imported as they are under tsx (plain Node ESM):
 * inventory.ts imports its host script as `../host-scripts/inventory.sh?raw`, a Vite import.
 * So the bench does what scripts/build.mjs does for the shipped app: esbuild bundles the
 * services (with the same raw-text plugin, scripts/raw-text-plugin.mjs) into one CommonJS file with dependencies left
 * external, and the bench requires it. It takes well under a second, needs no vitest, and
 * measures this checkout's own source. The file goes under node_modules/.cache/ so `require`
 * resolves ssh2 & co. from the project's node_modules (and git ignores it).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rawTextPlugin } from '../scripts/raw-text-plugin.mjs';

export type Services = typeof import('./services-entry');

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);

export async function loadServices(): Promise<Services> {
  const outfile = path.join(root, 'node_modules', '.cache', 'quiesce-bench', 'services.cjs');
  await build({
    entryPoints: [path.join(benchDir, 'services-entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    plugins: [rawTextPlugin],
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile) as Services;
}
