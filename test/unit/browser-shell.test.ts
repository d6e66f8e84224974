import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startBrowserShell, type BrowserShell } from '../../electron/web/server';
import { RENDERER_CSP_HEADER } from '../../shared/content-security-policy';

/** Raw HTTP, so tests control every header (fetch would add or forbid some). */
function get(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method }, (res) => {
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
    // The loader hands the token to the server; script never reads or writes the cookie.
    expect(r.body).not.toContain('document.cookie');
    expect(r.body).toContain("fetch('/session'");
  });

  it('sets the token cookie from the server, HttpOnly and SameSite=Strict, for its own page only', async () => {
    const session = (headers: Record<string, string>) =>
      get(shell.port, '/session', { host, ...headers }, 'POST');
    const ok = await session({ origin, 'x-quiesce-token': shell.token });
    expect(ok.status).toBe(204);
    const setCookie = ok.headers['set-cookie'] as string[];
    expect(setCookie).toHaveLength(1);
    const [pair, ...attributes] = setCookie[0]!.split(';').map((s) => s.trim());
    expect(pair).toBe(cookie);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
    // The cookie it set opens the app.
    expect((await get(shell.port, '/', { host, cookie: pair! })).body).toContain('the app');

    const wrong = 'x'.repeat(shell.token.length);
    for (const [what, headers, status] of [
      ['wrong token', { origin, 'x-quiesce-token': wrong }, 401],
      ['no token', { origin }, 401],
      ['token as a cookie only', { origin, cookie }, 401],
      ['no Origin (not a page)', { 'x-quiesce-token': shell.token }, 403],
      ['foreign Origin', { origin: 'http://127.0.0.1:1', 'x-quiesce-token': shell.token }, 403],
      ['foreign Host', { host: 'evil.example', origin, 'x-quiesce-token': shell.token }, 403],
    ] as const) {
      const r = await session(headers);
      expect(r.status, what).toBe(status);
      expect(r.headers['set-cookie'], what).toBeUndefined();
    }
    // The session is opened by POST only: a link or an image cannot do it.
    const byGet = await get(shell.port, '/session', { host, 'x-quiesce-token': shell.token });
    expect(byGet.status).toBe(401);
    expect(byGet.headers['set-cookie']).toBeUndefined();
  });

  it('sends the security headers on every answer, the errors included', async () => {
    const answers = {
      page: await get(shell.port, '/', { host, cookie }),
      file: await get(shell.port, '/assets/app.js', { host, cookie }),
      loader: await get(shell.port, '/', { host }),
      '400 bad path': await get(shell.port, '/%E0%A4%A', { host, cookie }),
      '401 no token': await get(shell.port, '/assets/app.js', { host }),
      '403 foreign origin': await get(shell.port, '/', { host, cookie, origin: 'http://e.x' }),
      '404 missing': await get(shell.port, '/nope.js', { host, cookie }),
      '405 method': await get(shell.port, '/', { host, cookie }, 'DELETE'),
      '204 session': await get(
        shell.port,
        '/session',
        { host, origin, 'x-quiesce-token': shell.token },
        'POST',
      ),
    };
    for (const [what, r] of Object.entries(answers)) {
      expect(String(r.headers['content-security-policy']), what).toContain(
        "frame-ancestors 'none'",
      );
      expect(r.headers['x-content-type-options'], what).toBe('nosniff');
      expect(r.headers['x-frame-options'], what).toBe('DENY');
      expect(r.headers['referrer-policy'], what).toBe('no-referrer');
      expect(r.headers['cross-origin-opener-policy'], what).toBe('same-origin');
      expect(r.headers['cross-origin-resource-policy'], what).toBe('same-origin');
      expect(r.headers['cache-control'], what).toBe('no-store');
    }
    expect(answers['400 bad path'].status).toBe(400);
    // The app's page says in its header what its meta tag says (shared/content-security-policy.ts).
    expect(answers.page.headers['content-security-policy']).toBe(RENDERER_CSP_HEADER);
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
