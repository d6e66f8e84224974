import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { AppEvent } from '../../shared/events';
import { autoConnect } from '../services/auto-connect';
import { createDispatcher } from '../services/dispatch';
import { createQuiesceService, type ServiceOptions } from '../services/quiesce-service';
import { RENDERER_CSP_HEADER } from '../../shared/content-security-policy';
import { LOADER_CSP, LOADER_HTML } from './loader-page';
import { mimeType, rendererFile, requestPath } from './renderer-files';
import { rawErrorResponse, securityHeaders } from './security-headers';
import { createGate, type Gate } from './token-auth';

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

const RpcRequestSchema = z.object({
  id: z.number().int(),
  method: z.string(),
  input: z.unknown(),
});

/** The most one WebSocket message may carry: contract inputs are small. */
const MAX_FRAME_BYTES = 1 << 20;

/**
 * Why an upgrade is refused (an HTTP status), or 0 to hand it to ws. A WebSocket must say where
 * it comes from: browsers always do, so a missing Origin is refused. The handshake's own fields
 * are checked here, not left to ws, so that every refusal is answered the same way.
 */
function upgradeRefusal(req: IncomingMessage, verdict: ReturnType<Gate['check']>): number {
  const path = requestPath(req.url);
  if (path === undefined) return 400;
  if (path !== '/ws') return 404;
  if (verdict === 'no-token') return 401;
  if (verdict !== 'ok' || !req.headers.origin) return 403;
  if (req.method !== 'GET') return 405;
  const key = req.headers['sec-websocket-key'];
  const version = req.headers['sec-websocket-version'];
  if (
    req.headers.upgrade?.toLowerCase() !== 'websocket' ||
    typeof key !== 'string' ||
    !/^[+/0-9A-Za-z]{22}==$/.test(key) ||
    (version !== '13' && version !== '8')
  ) {
    return 400;
  }
  return 0;
}

export async function startBrowserShell(opts: BrowserShellOptions): Promise<BrowserShell> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  const broadcast = (event: AppEvent) => {
    const text = JSON.stringify({ event });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const service = createQuiesceService({ ...opts, emit: broadcast });
  const dispatch = createDispatcher(service.handlers);
  await autoConnect(service.handlers, opts.connectOnStart ?? []);

  const server = createServer({ maxHeaderSize: 16 * 1024 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const gate = createGate(token, port);

  /** A plain-text answer; the security headers are already on `res` (see the request handler). */
  function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(status === 204 ? undefined : `${STATUS_CODES[status] ?? 'Error'}\n`);
  }

  async function serveRendererFile(path: string, res: ServerResponse): Promise<void> {
    const file = rendererFile(opts.rendererDir, path);
    if (file === undefined) return answer(res, 404);
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return answer(res, 404);
    }
    res.writeHead(200, {
      'Content-Security-Policy': RENDERER_CSP_HEADER,
      'Content-Type': mimeType(file),
    });
    res.end(body);
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? '';
    if (!['GET', 'HEAD', 'POST'].includes(method)) {
      return answer(res, 405, { Allow: 'GET, HEAD, POST' });
    }
    const path = requestPath(req.url);
    if (path === undefined) return answer(res, 400);
    if (method === 'POST') {
      if (path !== '/session') return answer(res, 405, { Allow: 'GET, HEAD' });
      const verdict = gate.checkSessionRequest(req);
      if (verdict === 'no-token') return answer(res, 401);
      if (verdict !== 'ok') return answer(res, 403);
      return answer(res, 204, { 'Set-Cookie': gate.sessionCookie() });
    }
    const verdict = gate.check(req);
    if (verdict === 'bad-host' || verdict === 'bad-origin') return answer(res, 403);
    if (verdict === 'no-token') {
      if (path !== '/') return answer(res, 401);
      res.writeHead(200, {
        'Content-Security-Policy': LOADER_CSP,
        'Content-Type': 'text/html; charset=utf-8',
      });
      res.end(LOADER_HTML);
      return;
    }
    return serveRendererFile(path, res);
  }

  // Nothing a client sends may stop the process: every request, upgrade and frame that is not
  // understood gets an error answer, and every socket has an error handler.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(securityHeaders())) res.setHeader(name, value);
    handleRequest(req, res).catch(() => answer(res, 500));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // An answer already under way on this socket (the body of a request broke) cannot be followed
    // by another: the connection just ends.
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(rawErrorResponse(err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400));
  });
  // After listening, the server itself fails only on accept (e.g. out of file descriptors): the
  // connection is lost, the server goes on.
  server.on('error', (err) => console.error(`Quiesce browser shell: ${err.message}`));

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  // A handshake ws refuses after our checks (say, a bad Sec-WebSocket-Protocol) is answered here,
  // so that it too carries the security headers.
  wss.on('wsClientError', (_err: Error, socket: Duplex) => socket.end(rawErrorResponse(400)));
  // CONNECT asks for a tunnel: there is none, and the answer says so.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(rawErrorResponse(405));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The HTTP server drops its own error handler from an upgraded socket.
    socket.on('error', () => socket.destroy());
    const status = upgradeRefusal(req, gate.check(req));
    if (status !== 0) {
      socket.end(rawErrorResponse(status));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // A frame over the size limit or text that is not UTF-8: ws answers with close code 1009 or
      // 1007 and then reports it here. Without this listener that report would end the process.
      ws.on('error', () => undefined);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          ws.close(1003, 'text frames only');
          return;
        }
        let request: z.infer<typeof RpcRequestSchema>;
        try {
          request = RpcRequestSchema.parse(JSON.parse(data.toString('utf8')));
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
