// Where Electron's binary would be, and whether it is there. `npm install electron` fetches the
// binary from the internet; on machines without internet it is missing, and Quiesce then runs
// the same services behind the browser shell instead.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

export function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
