import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { AppEvent } from '../../shared/events';
import { autoConnect } from '../services/auto-connect';
import { createDispatcher } from '../services/dispatch';
import { createQuiesceService, type ServiceOptions } from '../services/quiesce-service';
import { createGate } from './token-auth';

/**
 * The browser shell: Quiesce's services behind HTTP + WebSocket on 127.0.0.1, for headless admin
 * boxes and for the GUI tests. The same handlers as the Electron shell; only the transport differs.
 */

export interface BrowserShellOptions extends Omit<ServiceOptions, 'emit'> {
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Saved host ids to connect before the URL is handed out (see auto-connect.ts). */
  connectOnStart?: readonly string[];
}

export interface BrowserShell {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The only page served without the token: it moves the token from the URL fragment (never sent
 * to servers, never logged) into a port-specific cookie, then reloads without it.
 */
const LOADER_SCRIPT = `(function(){var m=/[#&]token=([A-Za-z0-9_-]+)/.exec(location.hash);
if(m){document.cookie=__COOKIE__+'='+m[1]+'; path=/; SameSite=Strict';location.replace('/');}
else{document.getElementById('msg').textContent='This address has no valid token. Open the exact URL that "npm run web" printed (it changes at every launch).';}})();`;

const RpcRequestSchema = z.object({
  id: z.number().int(),
  method: z.string(),
  input: z.unknown(),
});

function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export async function startBrowserShell(opts: BrowserShellOptions): Promise<BrowserShell> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  const broadcast = (event: AppEvent) => {
    const text = JSON.stringify({ event });
    for (const ws of sockets) ws.send(text);
  };
  const service = createQuiesceService({ ...opts, emit: broadcast });
  const dispatch = createDispatcher(service.handlers);
  await autoConnect(service.handlers, opts.connectOnStart ?? []);

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const gate = createGate(token, port);
  const loaderScript = LOADER_SCRIPT.replace('__COOKIE__', JSON.stringify(gate.cookieName));
  const loaderHash = createHash('sha256').update(loaderScript).digest('base64');
  const appCsp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ws://127.0.0.1:${port} ws://localhost:${port}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  const rendererRoot = normalize(opts.rendererDir + sep);

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = normalize(join(rendererRoot, rel));
    if (!file.startsWith(rendererRoot)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      securityHeaders(res, appCsp);
      res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
    }
  }

  server.on('request', (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const verdict = gate.check(req);
    if (verdict === 'bad-host' || verdict === 'bad-origin') {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden\n');
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (verdict === 'no-token') {
      if (pathname === '/') {
        securityHeaders(res, `default-src 'none'; script-src 'sha256-${loaderHash}'`);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><meta charset="utf-8"><title>Quiesce</title><p id="msg">Opening Quiesce…</p><script>${loaderScript}</script>`,
        );
      } else {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Token required\n');
      }
      return;
    }
    void serveStatic(req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const verdict = gate.check(req);
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    // A WebSocket must say where it comes from: browsers always do, so a missing Origin is refused.
    const status =
      pathname !== '/ws'
        ? 404
        : verdict === 'no-token'
          ? 401
          : verdict !== 'ok' || !req.headers.origin
            ? 403
            : 0;
    if (status !== 0) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let request: z.infer<typeof RpcRequestSchema>;
        try {
          request = RpcRequestSchema.parse(JSON.parse(data.toString()));
        } catch {
          ws.close(1008, 'malformed request');
          return;
        }
        void dispatch(request.method, request.input).then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: request.id, result }));
        });
      });
    });
  });

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: async () => {
      service.dispose();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
