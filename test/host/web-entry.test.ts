import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run web` as people run it: the BUILT browser shell (plain Node ESM, no test runner in
 * between), printing the URL line other tools read, then serving the loader page.
 */
describe('npm run web', () => {
  it('prints "Quiesce is running at http://127.0.0.1:PORT/#token=…" and serves its page', async () => {
    expect(existsSync('dist/web/server.mjs'), 'run "npm run build" first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-web-entry-'));
    const child = spawn(
      process.execPath,
      ['dist/web/server.mjs', '--data-dir', join(dir, 'data'), '--known-hosts', join(dir, 'kh')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      expect(line).toMatch(
        /^Quiesce is running at http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/,
      );
      const url = new URL(line.replace('Quiesce is running at ', ''));
      const res = await fetch(`http://${url.host}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('token=');
    } finally {
      child.kill();
    }
  });
});
