import { STATUS_CODES } from 'node:http';

/**
 * The headers every answer of the browser shell carries, its errors included: a page of ours is
 * never framed, sniffed, cached, or shared with another origin or window, and it sends no
 * referrer. Error answers get the strictest policy; the app and the loader page set their own.
 */

/** For answers that are not a page of ours: nothing may load, run or frame it. */
export const ERROR_CSP =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function securityHeaders(csp: string = ERROR_CSP): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/**
 * A whole HTTP/1.1 error answer as bytes, for a socket that has left the HTTP server's hands (a
 * refused WebSocket upgrade, a request Node's parser could not read).
 */
export function rawErrorResponse(status: number): string {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = `${reason}\n`;
  const headers = {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
