/**
 * Loads the app's services for the bench. They cannot be imported as they are under tsx (plain
 * Node ESM): inventory.ts imports its host script as `../host-scripts/inventory.sh?raw`, a Vite
 * import, and `import { utils } from 'ssh2'` is a named import Node's ESM loader cannot take from
 * CommonJS ssh2. So they are bundled and required (test/support/node-bundle.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleAndRequire } from '../test/support/node-bundle.js';

export type Services = typeof import('./services-entry');

const benchDir = path.dirname(fileURLToPath(import.meta.url));

export function loadServices(): Promise<Services> {
  return bundleAndRequire<Services>(path.join(benchDir, 'services-entry.ts'), 'quiesce-bench');
}
