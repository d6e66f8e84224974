/**
 * Loads a piece of the app under plain Node/tsx (the bench, the soak). The services import their
 * host scripts as `…sh?raw`, a Vite import plain Node cannot load; so, as scripts/build.mjs does
 * for the shipped app, esbuild bundles the entry with the same raw-text plugin
 * (scripts/raw-text-plugin.mjs) into one CommonJS file, dependencies left external, and that
 * file is required. The file goes under node_modules/.cache/<name>/ so `require` resolves ssh2 &
 * co. from the project's node_modules (and git ignores it). Well under a second, no vitest, and
 * it runs this checkout's own source.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rawTextPlugin } from '../../scripts/raw-text-plugin.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function bundleAndRequire<T>(entry: string, cacheName: string): Promise<T> {
  const outfile = path.join(
    root,
    'node_modules',
    '.cache',
    cacheName,
    `${path.parse(entry).name}.cjs`,
  );
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    plugins: [rawTextPlugin],
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile) as T;
}
