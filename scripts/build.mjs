// Builds the three parts: the renderer (Vite), the Electron shell (main + sandboxed preload, both
// CommonJS), and the browser shell (ESM). Dependencies stay external: node_modules ships with
// the app, and bundling ssh2's optional native pieces would break them.
import { chmod } from 'node:fs/promises';
import { build as esbuild } from 'esbuild';
import { tsImport } from 'tsx/esm/api';
import { build as viteBuild } from 'vite';
import { rawTextPlugin } from './raw-text-plugin.mjs';

// The page's CSP meta tag comes from the one policy both shells also send as a header.
const { withCspMeta } = await tsImport('../shared/content-security-policy.ts', import.meta.url);
const cspMetaPlugin = { name: 'quiesce-csp-meta', transformIndexHtml: (html) => withCspMeta(html) };

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [rawTextPlugin],
};

// The command line (electron/cli/), an executable ES module; `--cli` builds only it (npm run quiesce).
const buildCli = () =>
  esbuild({
    ...common,
    entryPoints: ['electron/cli/quiesce.ts'],
    outfile: 'dist/cli/quiesce.mjs',
    format: 'esm',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  }).then(() => chmod('dist/cli/quiesce.mjs', 0o755));
if (process.argv.includes('--cli')) {
  await buildCli();
  process.exit(0);
}

await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn', plugins: [cspMetaPlugin] });
await Promise.all([
  buildCli(),
  esbuild({
    ...common,
    entryPoints: ['electron/shell/main.ts'],
    outfile: 'dist/electron/main.cjs',
    format: 'cjs',
    packages: 'external',
  }),
  // The preload runs sandboxed: it may require only `electron`, so everything else is bundled.
  esbuild({
    ...common,
    entryPoints: ['electron/shell/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
  esbuild({
    ...common,
    entryPoints: ['electron/web/main.ts'],
    outfile: 'dist/web/server.mjs',
    format: 'esm',
    packages: 'external',
  }),
]);
console.error('built dist/renderer, dist/electron, dist/web, dist/cli');
