import { app, session, type WebContents } from 'electron';
import { RENDERER_CSP_HEADER } from '../../shared/content-security-policy';

/**
 * Electron's security checklist in one place: no navigation away from the app, no new windows,
 * no webviews, no permissions, a CSP on every response (the same policy the page's meta tag
 * states, shared/content-security-policy.ts), and no DevTools in a packaged build. The page
 * itself comes from app:// (app-protocol.ts), and the packaged binary's fuses are set by
 * electron-builder (package.json, "build" → "electronFuses").
 */
export const CONTENT_SECURITY_POLICY = RENDERER_CSP_HEADER;

export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

/**
 * The window's settings: DevTools only in a development run. A packaged build is what admins
 * run; there DevTools would let anyone at the keyboard call main with the page's rights.
 */
export function secureWebPreferences(packaged: boolean) {
  return { ...SECURE_WEB_PREFERENCES, devTools: !packaged };
}

export function hardenSessions(packaged: boolean): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    // devTools: false already keeps them shut; this closes them should anything open them anyway.
    if (packaged) contents.on('devtools-opened', () => contents.closeDevTools());
  });
}
