import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startBrowserShell, type BrowserShell } from '../../electron/web/server';

/** Raw HTTP, so tests control every header (fetch would add or forbid some). */
function get(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsOutcome(url: string, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

let shell: BrowserShell;
let host: string;
let origin: string;
let cookie: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-web-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><p>the app</p>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  shell = await startBrowserShell({
    rendererDir,
    dataDir: join(dir, 'data'),
    knownHostsPath: join(dir, 'known_hosts'),
  });
  host = `127.0.0.1:${shell.port}`;
  origin = `http://${host}`;
  cookie = `quiesce_token_${shell.port}=${shell.token}`;
});
afterAll(() => shell.close());

describe('browser shell', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
  });

  it('serves the app and its files only with the token', async () => {
    const ok = await get(shell.port, '/', { host, cookie });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('the app');
    expect(String(ok.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await get(shell.port, '/assets/app.js', { host, cookie })).status).toBe(200);

    expect((await get(shell.port, '/assets/app.js', { host })).status).toBe(401);
    const wrong = `quiesce_token_${shell.port}=${'x'.repeat(shell.token.length)}`;
    expect((await get(shell.port, '/assets/app.js', { host, cookie: wrong })).status).toBe(401);
    // Another instance's cookie (another port) is not this one's token.
    const otherPort = `quiesce_token_1=${shell.token}`;
    expect((await get(shell.port, '/assets/app.js', { host, cookie: otherPort })).status).toBe(401);
  });

  it('without the token, "/" is only the loader that moves the token out of the URL', async () => {
    const r = await get(shell.port, '/', { host });
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('the app');
    expect(r.body).toContain('token=');
    expect(String(r.headers['content-security-policy'])).toMatch(
      /default-src 'none'; script-src 'sha256-/,
    );
  });

  it('refuses a foreign Origin or Host even with the token', async () => {
    expect(
      (await get(shell.port, '/', { host, cookie, origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect((await get(shell.port, '/', { host: 'evil.example', cookie })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const r = await get(shell.port, '/..%2fsecret.txt', { host, cookie });
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('outside');
  });

  it('accepts a WebSocket only with the token and its own Origin', async () => {
    const url = `ws://${host}/ws`;
    expect(await wsOutcome(url, { cookie, origin })).toBe('open');
    expect(await wsOutcome(url, { origin })).toBe(401);
    expect(await wsOutcome(url, { cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await wsOutcome(url, { cookie })).toBe(403);
  });

  it('answers contract calls over the WebSocket and refuses unknown methods', async () => {
    const ws = new WebSocket(`ws://${host}/ws`, { headers: { cookie, origin } });
    await new Promise((r) => ws.on('open', r));
    const call = (id: number, method: string, input: unknown) =>
      new Promise<unknown>((resolve) => {
        ws.on('message', (data) => {
          const msg = JSON.parse(String(data));
          if (msg.id === id) resolve(msg.result);
        });
        ws.send(JSON.stringify({ id, method, input }));
      });
    expect(await call(1, 'hosts.list', {})).toEqual({ ok: true, value: [] });
    expect(await call(2, 'child_process.exec', { cmd: 'id' })).toMatchObject({ ok: false });
    ws.close();
  });
});
