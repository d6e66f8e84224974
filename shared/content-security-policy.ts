/**
 * The renderer's Content Security Policy, written once. The build puts it into the page's meta
 * tag (scripts/build.mjs); the browser shell and the Electron shell's app:// protocol send it as a
 * header. Both shells serve the page from its own origin, so 'self' is all it may reach: its own
 * files, and in the browser shell its own WebSocket (CSP 3 lets 'self' on an http page match ws
 * to the same host and port). No I/O here: the build, both shells and the tests import it.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The header says the same, plus what a meta tag cannot carry: CSP 3 ignores `frame-ancestors`
 * in a meta tag (and Chromium reports it as an error), so only the header can forbid framing.
 */
export const RENDERER_CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'`;

/** The marker renderer/index.html carries where the build writes the policy. */
export const CSP_PLACEHOLDER = '__QUIESCE_CONTENT_SECURITY_POLICY__';

/**
 * The page with the policy in its meta tag. Throws when the marker is missing, so that a build
 * never ships a page without its policy.
 */
export function withCspMeta(html: string): string {
  if (!html.includes(`content="${CSP_PLACEHOLDER}"`)) {
    throw new Error(
      `renderer/index.html has no <meta http-equiv="Content-Security-Policy" content="${CSP_PLACEHOLDER}">`,
    );
  }
  return html.replaceAll(CSP_PLACEHOLDER, RENDERER_CSP);
}

/** The policy a page's meta tag states, or undefined when it has none. */
export function cspFromMeta(html: string): string | undefined {
  return /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1];
}
