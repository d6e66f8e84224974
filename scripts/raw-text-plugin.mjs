// `import text from './x.sh?raw'`, as Vite and vitest read it, for esbuild: the host scripts
// (electron/services/host-scripts/*.sh) ship inlined as strings. Used by the app's build and by
// the bench, which bundles the services the same way.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const rawTextPlugin = {
  name: 'raw-text',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.replace(/\?raw$/, '')),
      namespace: 'raw-text',
    }));
    build.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};
