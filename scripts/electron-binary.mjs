// Where Electron's binary is, fetching it on first use. The npm package downloads the binary in
// an install script, which .npmrc disables (it fails `npm install` on machines without internet).
// So `npm start` runs that download once, lazily; where it cannot, Quiesce runs the same services
// behind the browser shell instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function installedBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The binary's path, or undefined. With `{ fetch: true }`, tries the download once first. */
export function electronBinary({ fetch = false } = {}) {
  const found = installedBinary();
  if (found || !fetch) return found;
  let installer;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return undefined;
  }
  console.error('[quiesce] fetching the Electron binary (first start)…');
  const r = spawnSync(process.execPath, [installer], {
    stdio: 'pipe',
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0) {
    // The installer's own stack trace says nothing an admin can act on; its first line does.
    const why = `${r.stderr ?? ''}`.split('\n').find((l) => l.trim()) ?? 'no answer';
    console.error(`[quiesce] Electron could not be downloaded here (${why.trim()}).`);
  }
  return installedBinary();
}
