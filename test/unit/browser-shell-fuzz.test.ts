import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { rawTextPlugin } from '../../scripts/raw-text-plugin.mjs';

/**
 * The browser shell as `npm run web` runs it (electron/web/main.ts, bundled the way the build
 * bundles it, in its own Node process), fed what a hostile page or local process can send: bad
 * cookies without the token, bad paths, unknown methods, broken HTTP, and bad WebSocket frames
 * with it. Each gets an error answer carrying the security headers, the process never exits,
 * and it still serves the app afterwards.
 */

const repoRoot = resolve(import.meta.dirname, '..', '..');
let workDir: string;
let child: ChildProcess;
let stderr = '';
let port: number;
let token: string;
let host: string;
let cookie: string;

beforeAll(async () => {
  // Inside the repository, so that the bundle's external packages resolve from its node_modules.
  mkdirSync(join(repoRoot, 'node_modules', '.cache'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, 'node_modules', '.cache', 'quiesce-web-fuzz-'));
  await build({
    entryPoints: [join(repoRoot, 'electron/web/main.ts')],
    outfile: join(workDir, 'server.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    plugins: [rawTextPlugin],
  });
  const rendererDir = join(workDir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><p>the app</p>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(workDir, 'secret.txt'), 'outside the renderer');
  child = spawn(
    process.execPath,
    [
      join(workDir, 'server.mjs'),
      '--data-dir',
      join(workDir, 'data'),
      '--known-hosts',
      join(workDir, 'known_hosts'),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, QUIESCE_RENDERER_DIR: rendererDir, QUIESCE_PORT: '0' },
    },
  );
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) done(out.split('\n')[0]!);
    });
    child.on('exit', (code) => fail(new Error(`exited ${code}: ${stderr}`)));
  });
  const url = new URL(line.replace('Quiesce is running at ', ''));
  port = Number(url.port);
  token = url.hash.replace('#token=', '');
  host = `127.0.0.1:${port}`;
  cookie = `quiesce_token_${port}=${token}`;
}, 60_000);

afterAll(() => {
  child?.kill();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Fails with the child's own last words when it has exited. */
function expectAlive(): void {
  expect(
    child.exitCode === null && child.signalCode === null,
    `the browser shell exited (${child.exitCode ?? child.signalCode}): ${stderr}`,
  ).toBe(true);
}

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
  raw: Buffer;
}

/** Sends bytes as they are and reads what comes back until the server closes or goes quiet. */
function exchange(request: string | Buffer, quietMs = 1500): Promise<Buffer> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer = setTimeout(() => socket.destroy(), quietMs);
    socket.on('data', (d) => {
      chunks.push(d);
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), 300);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      done(Buffer.concat(chunks));
    });
    socket.write(request);
  });
}

function parseAnswer(raw: Buffer): RawAnswer {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end < 0 ? text.length : end).split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  return { status, headers, body: end < 0 ? '' : text.slice(end + 4), raw };
}

async function send(request: string | Buffer): Promise<RawAnswer> {
  return parseAnswer(await exchange(request));
}

function requestText(method: string, target: string, headers: Record<string, string>): string {
  const lines = Object.entries({ host, connection: 'close', ...headers }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** What every answer of the browser shell carries, its errors included. */
function expectSecurityHeaders(answer: RawAnswer, what: string): void {
  const h = answer.headers;
  expect(h.get('content-security-policy') ?? '', what).toContain("frame-ancestors 'none'");
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(h.get('cross-origin-resource-policy'), what).toBe('same-origin');
  expect(h.get('cache-control'), what).toBe('no-store');
}

/** A client frame as RFC 6455 §5.2 lays it out, masked unless told otherwise. */
function frame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; rsv?: number; masked?: boolean; claimedLength?: number } = {},
): Buffer {
  const length = opts.claimedLength ?? payload.length;
  const first = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  const maskBit = (opts.masked ?? true) ? 0x80 : 0;
  let head: Buffer;
  if (length < 126) head = Buffer.from([first, maskBit | length]);
  else if (length < 65536) {
    head = Buffer.alloc(4);
    head.writeUInt8(first, 0);
    head.writeUInt8(maskBit | 126, 1);
    head.writeUInt16BE(length, 2);
  } else {
    head = Buffer.alloc(10);
    head.writeUInt8(first, 0);
    head.writeUInt8(maskBit | 127, 1);
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!(opts.masked ?? true)) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}

/**
 * Opens a WebSocket by hand (so any bytes can follow), sends `bytes`, and returns the close code
 * of the server's close frame, or undefined if it closed without one.
 */
function closeCodeAfter(bytes: Buffer): Promise<number | undefined> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (received.subarray(0, 12).toString() !== 'HTTP/1.1 101') {
          socket.destroy();
          return;
        }
        upgraded = true;
        received = received.subarray(end + 4);
        socket.write(bytes);
      }
      // The server's close frame: 0x88, a length, then the code (server frames are unmasked).
      // It then waits for ours; the test need not.
      if (received[0] === 0x88 && received.length >= 4) socket.destroy();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      done(
        upgraded && received[0] === 0x88 && received.length >= 4
          ? received.readUInt16BE(2)
          : undefined,
      );
    });
    socket.write(
      requestText('GET', '/ws', {
        cookie,
        origin: `http://${host}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      }),
    );
  });
}

/** A good request after the fuzz: the page and a contract call over a WebSocket. */
async function expectStillServing(): Promise<void> {
  expectAlive();
  const page = await send(requestText('GET', '/', { cookie }));
  expect(page.status).toBe(200);
  expect(page.body).toContain('the app');
  const ws = new WebSocket(`ws://${host}/ws`, { headers: { cookie, origin: `http://${host}` } });
  const result = await new Promise<unknown>((done, fail) => {
    ws.on('error', fail);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'hosts.list', input: {} })));
    ws.on('message', (data) => done((JSON.parse(String(data)) as { result: unknown }).result));
  });
  ws.close();
  expect(result).toEqual({ ok: true, value: [] });
}

describe('the browser shell under hostile input', () => {
  it('answers cookies it cannot decode, before and with the token, and keeps serving', async () => {
    const bad = [
      'other=%E0%A4%A',
      'other=%',
      '%=%',
      `quiesce_token_${port}=%ZZ`,
      '=x; ;; a',
      'a=b=c=%E0',
      'x="%E0%A4%A"',
      Array.from({ length: 300 }, (_, i) => `c${i}=%`).join('; '),
    ];
    for (const value of bad) {
      const without = await send(requestText('GET', '/assets/app.js', { cookie: value }));
      expect(without.status, value).toBe(401);
      expectSecurityHeaders(without, value);
      // The token still counts beside a broken cookie, in either order.
      const withToken = await send(
        requestText('GET', '/assets/app.js', { cookie: `${value}; ${cookie}` }),
      );
      expect(withToken.status, value).toBe(200);
      const tokenFirst = await send(
        requestText('GET', '/assets/app.js', { cookie: `${cookie}; ${value}` }),
      );
      expect(tokenFirst.status, value).toBe(200);
      expectAlive();
    }
    // Bytes that are not even Latin-1 text in the header.
    const binary = Buffer.concat([
      Buffer.from(`GET / HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\ncookie: a=`),
      Buffer.from([0xe0, 0xa4, 0xff, 0x80]),
      Buffer.from('\r\n\r\n'),
    ]);
    const answer = await send(binary);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expectSecurityHeaders(answer, 'binary cookie');
    await expectStillServing();
  });

  it('answers paths it cannot decode or must not serve with 400 or 404, never a file outside', async () => {
    const paths = [
      '/%E0%A4%A',
      '/%',
      '/%%',
      '/%C0%AF',
      '/%00',
      '/assets/app.js%00.html',
      '//',
      '//evil.example/x',
      '/..%2fsecret.txt',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/..\\secret.txt',
      '/assets/',
      '/assets',
      '*',
      'http://evil.example/',
      `/${'a'.repeat(8000)}`,
      '/?%E0%A4%A',
    ];
    for (const path of paths) {
      const answer = await send(requestText('GET', path, { cookie }));
      expect([200, 400, 404], path).toContain(answer.status);
      if (path !== '/?%E0%A4%A') expect(answer.status, path).not.toBe(200);
      expect(answer.body, path).not.toContain('outside the renderer');
      expect(answer.body, path).not.toContain('root:');
      expectSecurityHeaders(answer, path);
      expectAlive();
    }
    await expectStillServing();
  });

  it('answers methods it does not serve, known to Node or not, with an error', async () => {
    const methods = [
      'FOO',
      'PROPFIND',
      'DELETE',
      'PUT',
      'PATCH',
      'OPTIONS',
      'TRACE',
      'get',
      'G\u00e9T',
    ];
    for (const method of methods) {
      const answer = await send(requestText(method, '/', { cookie }));
      expect([400, 405], method).toContain(answer.status);
      expectSecurityHeaders(answer, method);
      expectAlive();
    }
    const post = await send(requestText('POST', '/', { cookie, 'content-length': '0' }));
    expect(post.status).toBe(405);
    const tunnel = await send(`CONNECT 127.0.0.1:22 HTTP/1.1\r\nhost: 127.0.0.1:22\r\n\r\n`);
    expect(tunnel.status).toBe(405);
    expectSecurityHeaders(tunnel, 'CONNECT');
    await expectStillServing();
  });

  it('answers broken HTTP with 4xx and survives clients that vanish mid-request', async () => {
    const broken = [
      'hello\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      `GET / HTTP/1.1\r\nhost: ${host}\r\nbad header\r\n\r\n`,
      `GET / HTTP/1.1\r\nhost: ${host}\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`,
      `POST /session HTTP/1.1\r\nhost: ${host}\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n`,
      `GET / HTTP/1.1\r\nhost: ${host}\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n`,
    ];
    for (const request of broken) {
      const answer = await send(request);
      expect(answer.status, request.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(answer.status, request.slice(0, 40)).toBeLessThan(500);
      expectSecurityHeaders(answer, request.slice(0, 40));
      expectAlive();
    }
    // Clients that reset the connection halfway: a request, an upgrade, a frame.
    for (const partial of [
      `GET /assets/app.js HTTP/1.1\r\nhost: ${host}\r\ncook`,
      requestText('GET', '/ws', {
        cookie,
        origin: `http://${host}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      }),
    ]) {
      await new Promise<void>((done) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(partial, () => setTimeout(() => socket.resetAndDestroy(), 20));
        });
        socket.on('error', () => undefined);
        socket.on('close', () => done());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    await expectStillServing();
  });

  it('refuses upgrades it does not accept with an answer that carries the headers', async () => {
    const base = {
      cookie,
      origin: `http://${host}`,
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
    };
    const cases: [string, string, Record<string, string>, number][] = [
      ['bad path', '/%E0%A4%A', base, 400],
      ['other path', '/x', base, 404],
      ['bad cookie', '/ws', { ...base, cookie: 'other=%E0%A4%A' }, 401],
      ['foreign origin', '/ws', { ...base, origin: 'http://evil.example' }, 403],
      ['no key', '/ws', { ...base, 'sec-websocket-key': 'x' }, 400],
      ['old version', '/ws', { ...base, 'sec-websocket-version': '7' }, 400],
      ['not websocket', '/ws', { ...base, upgrade: 'h2c' }, 400],
      ['bad protocol', '/ws', { ...base, 'sec-websocket-protocol': ',,' }, 400],
    ];
    for (const [what, path, headers, status] of cases) {
      const answer = await send(requestText('GET', path, headers));
      expect(answer.status, what).toBe(status);
      expectSecurityHeaders(answer, what);
      expectAlive();
    }
    const post = await send(requestText('POST', '/ws', base));
    expect(post.status).toBe(405);
    await expectStillServing();
  });

  it('closes a WebSocket on a frame it does not accept, with the code that says why', async () => {
    const text = (s: string | Buffer) => frame(0x1, Buffer.isBuffer(s) ? s : Buffer.from(s));
    const cases: [string, Buffer, number][] = [
      // Over the 1 MiB limit: refused from the length alone, before any payload arrives.
      ['over the size limit', frame(0x1, Buffer.alloc(0), { claimedLength: 2 ** 21 }), 1009],
      ['invalid UTF-8', text(Buffer.from([0x7b, 0xe0, 0xa4, 0xff, 0x7d])), 1007],
      ['unmasked', frame(0x1, Buffer.from('{}'), { masked: false }), 1002],
      ['reserved bits', frame(0x1, Buffer.from('{}'), { rsv: 0b011 }), 1002],
      ['unknown opcode', frame(0x3, Buffer.from('{}')), 1002],
      ['long ping', frame(0x9, Buffer.alloc(200)), 1002],
      ['continuation first', frame(0x0, Buffer.from('{}')), 1002],
      ['binary', frame(0x2, Buffer.from('{"id":1}')), 1003],
      ['not JSON', text('{"id":'), 1008],
      ['JSON of another shape', text('{"id":"1","method":7}'), 1008],
      ['JSON null', text('null'), 1008],
    ];
    for (const [what, bytes, code] of cases) {
      expect(await closeCodeAfter(bytes), what).toBe(code);
      expectAlive();
    }
    // A fragmented message whose pieces add up to more than the limit.
    const piece = Buffer.alloc(600_000, 0x20);
    const fragmented = Buffer.concat([
      frame(0x1, piece, { fin: false }),
      frame(0x0, piece, { fin: true }),
    ]);
    expect(await closeCodeAfter(fragmented)).toBe(1009);
    await expectStillServing();
  });

  it('answers an unknown contract method with an error result, on an open socket', async () => {
    const ws = new WebSocket(`ws://${host}/ws`, { headers: { cookie, origin: `http://${host}` } });
    await new Promise((r) => ws.on('open', r));
    const answers: unknown[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ id: 7, method: 'process.exit', input: { code: 0 } }));
    ws.send(JSON.stringify({ id: 8, method: 'hosts.list', input: '%E0%A4%A' }));
    await expect.poll(() => answers.length).toBe(2);
    expect(answers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 7, result: expect.objectContaining({ ok: false }) }),
        expect.objectContaining({ id: 8, result: expect.objectContaining({ ok: false }) }),
      ]),
    );
    ws.close();
    await expectStillServing();
  });
});
