import { extname, join, normalize, sep } from 'node:path';

/**
 * Which file of the built renderer a request names. Both shells serve the renderer from their
 * own origin (the browser shell over http://127.0.0.1, the Electron shell over app://), and both
 * must serve nothing outside its folder, whatever the path says. Pure: no file is opened here.
 */

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The decoded path of a request target in origin form (`/a/b?q`), or undefined when it is not
 * one or its %-encoding is broken (`/%E0%A4%A`): such a request is answered 400, never thrown.
 */
export function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return undefined;
  const raw = target.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  // A NUL cuts a path short in the layers below; no file of ours has one.
  return path.includes('\0') ? undefined : path;
}

/**
 * The file a decoded path names inside `root`, or undefined when it would leave `root`
 * (`/../x`, `/..%2fx`, `/a/../../x`, a backslash on Windows). "/" is the page itself.
 */
export function rendererFile(root: string, path: string): string | undefined {
  const base = normalize(root + sep);
  const rel = path === '/' || path === '' ? 'index.html' : path.replace(/^\/+/, '');
  const file = normalize(join(base, rel));
  return file.startsWith(base) && file !== base ? file : undefined;
}
