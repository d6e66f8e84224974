import { readFile } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { RENDERER_CSP_HEADER } from '../../shared/content-security-policy';
import { mimeType, rendererFile, requestPath } from '../web/renderer-files';

/**
 * The renderer is served from `app://quiesce/`, not from file:// (Electron's security checklist,
 * "avoid usage of the file protocol"): a page on file:// shares its origin with every file on
 * the disk, while app://quiesce is an origin of its own that holds only the built renderer. The
 * handler answers from that folder alone; a path that leaves it, another host, or a method other
 * than GET/HEAD is refused.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'quiesce';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page every window shows, and the only page IPC is accepted from (ipc.ts). */
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;

/**
 * Standard (an origin, relative URLs), secure (like https: no mixed-content downgrade) and
 * fetch-capable (module scripts); no CSP bypass, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

type ReadFile = (file: string) => Promise<Buffer>;

function refusal(status: number): Response {
  return new Response(null, {
    status,
    headers: {
      'Content-Security-Policy': RENDERER_CSP_HEADER,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

/** The `protocol.handle` callback for app://, answering from `rendererDir` only. */
export function createAppProtocolHandler(
  rendererDir: string,
  read: ReadFile = (file) => readFile(file),
): (request: Pick<Request, 'url' | 'method'>) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refusal(400);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refusal(404);
    const path = requestPath(url.pathname);
    if (path === undefined) return refusal(400);
    const file = rendererFile(rendererDir, path);
    if (file === undefined) return refusal(404);
    let body: Buffer;
    try {
      body = await read(file);
    } catch {
      return refusal(404);
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': mimeType(file),
        'Content-Security-Policy': RENDERER_CSP_HEADER,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  };
}
