import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The browser shell's gate (docs/ARCHITECTURE.md, "Rooms"): it listens on loopback only, yet any
 * local process or any web page the admin visits could try to talk to it. So every request and
 * WebSocket upgrade must carry the per-launch token (as a port-specific cookie), name this server
 * in its Host header (no DNS rebinding), and come from this origin if it says where it comes from.
 *
 * The cookie is set by the server only, HttpOnly and SameSite=Strict: cookies ignore ports, so a
 * page on another 127.0.0.1 port could read or replace a cookie that script can reach. The
 * loader page hands the token from the URL fragment to `POST /session` in a header, and the
 * answer sets the cookie.
 */
export interface Gate {
  cookieName: string;
  origin: string;
  check(req: IncomingMessage): 'ok' | 'bad-host' | 'bad-origin' | 'no-token';
  /**
   * May this request open a session? It must be this origin's own script (Host and Origin both
   * ours: a cross-origin page cannot send the custom header without a preflight we never allow)
   * presenting the token in its header.
   */
  checkSessionRequest(req: IncomingMessage): 'ok' | 'bad-host' | 'bad-origin' | 'no-token';
  /** The Set-Cookie value that hands the token to the browser. */
  sessionCookie(): string;
}

/** The header the loader page presents the token in. */
export const TOKEN_HEADER = 'x-quiesce-token';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every value each cookie name carries, in order. A browser sends one name twice when two
 * cookies differ by path, and any page on 127.0.0.1 can add one; a value that is not valid
 * %-encoding is kept as it came (RFC 6265 does not require encoding), never thrown on.
 */
export function parseCookies(header: string | undefined): Map<string, string[]> {
  const jar = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    try {
      value = decodeURIComponent(value);
    } catch {
      /* kept as sent */
    }
    jar.set(name, [...(jar.get(name) ?? []), value]);
  }
  return jar;
}

export function createGate(token: string, port: number): Gate {
  const cookieName = `quiesce_token_${port}`;
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const placeCheck = (req: IncomingMessage, originRequired: boolean) => {
    if (!hosts.has(req.headers.host ?? '')) return 'bad-host' as const;
    const origin = req.headers.origin;
    if (origin === undefined ? originRequired : !origins.has(origin)) return 'bad-origin' as const;
    return undefined;
  };
  return {
    cookieName,
    origin: `http://127.0.0.1:${port}`,
    check(req) {
      const refused = placeCheck(req, false);
      if (refused) return refused;
      const presented = parseCookies(req.headers.cookie).get(cookieName) ?? [];
      // Any one of them may be ours: a decoy added by another page must not lock the admin out.
      return presented.some((value) => safeEqual(value, token)) ? 'ok' : 'no-token';
    },
    checkSessionRequest(req) {
      const refused = placeCheck(req, true);
      if (refused) return refused;
      const presented = req.headers[TOKEN_HEADER];
      return typeof presented === 'string' && safeEqual(presented, token) ? 'ok' : 'no-token';
    },
    sessionCookie() {
      return `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    },
  };
}
