/**
 * Entry of `npm run soak`. The app's services import their host scripts as `…sh?raw` (a Vite
 * import), which plain Node/tsx cannot load; so, as the bench does (bench/services.ts), esbuild
 * bundles the soak with the same raw-text plugin as the shipped app into one CommonJS file under
 * node_modules/.cache (dependencies left external), and that file runs. It measures this
 * checkout's own source.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rawTextPlugin } from '../../scripts/raw-text-plugin.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outfile = path.join(root, 'node_modules', '.cache', 'quiesce-soak', 'soak.cjs');
await build({
  entryPoints: [path.join(here, 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  plugins: [rawTextPlugin],
  logLevel: 'warning',
});
const cli = createRequire(import.meta.url)(outfile) as typeof import('./cli');
process.exitCode = await cli.main(process.argv.slice(2));
