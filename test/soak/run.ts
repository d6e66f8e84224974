/**
 * Entry of `npm run soak`. The app's services import their host scripts as `…sh?raw` (a Vite
 * import), which plain Node/tsx cannot load; so, as the bench does, the soak is bundled and
 * required (test/support/node-bundle.ts). It measures this checkout's own source.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleAndRequire } from '../support/node-bundle';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = await bundleAndRequire<typeof import('./cli')>(
  path.join(here, 'cli.ts'),
  'quiesce-soak',
);
process.exitCode = await cli.main(process.argv.slice(2));
