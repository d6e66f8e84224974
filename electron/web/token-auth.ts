import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The browser shell's gate (docs/ARCHITECTURE.md, "Rooms"): it listens on loopback only, yet any
 * local process or any web page the admin visits could try to talk to it. So every request and
 * WebSocket upgrade must carry the per-launch token (as a port-specific cookie set by the loader
 * page), name this server in its Host header (no DNS rebinding), and come from this origin if it
 * says where it comes from.
 */
export interface Gate {
  cookieName: string;
  origin: string;
  check(req: IncomingMessage): 'ok' | 'bad-host' | 'bad-origin' | 'no-token';
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return jar;
}

export function createGate(token: string, port: number): Gate {
  const cookieName = `quiesce_token_${port}`;
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  return {
    cookieName,
    origin: `http://127.0.0.1:${port}`,
    check(req) {
      if (!hosts.has(req.headers.host ?? '')) return 'bad-host';
      const origin = req.headers.origin;
      if (origin !== undefined && !origins.has(origin)) return 'bad-origin';
      const presented = parseCookies(req.headers.cookie).get(cookieName);
      if (presented === undefined || !safeEqual(presented, token)) return 'no-token';
      return 'ok';
    },
  };
}
