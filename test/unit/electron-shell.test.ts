import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Electron shell runs here without the Electron binary (it cannot be downloaded on these
 * machines): `electron` is mocked, and what is checked is what the shell asks of it.
 */
const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const state = {
    order: [] as string[],
    isPackaged: false,
    privileged: [] as unknown[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    windows: [] as FakeWindow[],
    appListeners: new Map<string, Listener[]>(),
    headersHandler: undefined as Listener | undefined,
    exposed: {} as Record<string, unknown>,
    ipcHandlers: new Map<string, (event: unknown, input: unknown) => unknown>(),
    invoke: undefined as unknown as (channel: string, input: unknown) => Promise<unknown>,
  };
  class FakeWindow {
    static getAllWindows = () => state.windows;
    static getFocusedWindow = () => undefined;
    webContents = { send: () => undefined };
    loadedUrls: string[] = [];
    loadedFiles: string[] = [];
    constructor(public options: { webPreferences: Record<string, unknown> }) {
      state.windows.push(this);
    }
    once() {}
    on() {}
    show() {}
    isDestroyed = () => false;
    loadURL(url: string) {
      this.loadedUrls.push(url);
      return Promise.resolve();
    }
    loadFile(file: string) {
      this.loadedFiles.push(file);
      return Promise.resolve();
    }
  }
  return { state, FakeWindow };
});
const { state } = electron;
state.invoke = vi.fn(async (channel: string, input: unknown) => ({ channel, input }));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: Record<string, unknown>) => (state.exposed[key] = api),
  },
  ipcRenderer: { invoke: state.invoke, on: vi.fn(), removeListener: vi.fn() },
  ipcMain: { handle: (channel: string, fn: never) => state.ipcHandlers.set(channel, fn) },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      state.order.push('registerSchemesAsPrivileged');
      state.privileged.push(...schemes);
    },
    handle: (scheme: string, handler: never) => {
      state.order.push(`handle:${scheme}`);
      state.protocolHandlers.set(scheme, handler);
    },
  },
  app: {
    get isPackaged() {
      return state.isPackaged;
    },
    enableSandbox: () => state.order.push('enableSandbox'),
    whenReady: () =>
      Promise.resolve().then(() => {
        state.order.push('ready');
      }),
    getPath: () => join(tmpdir(), 'quiesce-electron-shell-test'),
    getVersion: () => '0.0.0-test',
    // The desktop behaviour (single instance, menu, window place) has its own test file,
    // desktop-shell.test.ts; here it only has to be there.
    requestSingleInstanceLock: () => true,
    quit: vi.fn(),
    on: (name: string, fn: (...args: unknown[]) => unknown) =>
      state.appListeners.set(name, [...(state.appListeners.get(name) ?? []), fn]),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      webRequest: {
        onHeadersReceived: (fn: (...args: unknown[]) => unknown) => (state.headersHandler = fn),
      },
    },
  },
  BrowserWindow: electron.FakeWindow,
  Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
  Notification: { isSupported: () => false },
  // A Linux desktop with no keyring running: Chromium's only store is plain text.
  safeStorage: {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'basic_text',
    encryptString: () => {
      throw new Error('must not seal with basic_text');
    },
    decryptString: () => '',
  },
  dialog: { showMessageBox: vi.fn() },
  screen: {
    getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
  },
}));

const { METHOD_NAMES, bridgeFunctionName, ipcChannel } = await import('../../shared/methods');
const { RENDERER_CSP, RENDERER_CSP_HEADER, cspFromMeta, withCspMeta } =
  await import('../../shared/content-security-policy');
const { RENDERER_URL, createAppProtocolHandler } =
  await import('../../electron/shell/app-protocol');

function resetElectron(): void {
  state.order.length = 0;
  state.privileged.length = 0;
  state.protocolHandlers.clear();
  state.windows.length = 0;
  state.appListeners.clear();
  state.headersHandler = undefined;
  state.ipcHandlers.clear();
}

/** Runs electron/shell/main.ts afresh, as the app starts, and waits for its window. */
async function startShell(packaged: boolean) {
  resetElectron();
  state.isPackaged = packaged;
  vi.resetModules();
  await import('../../electron/shell/main');
  await vi.waitFor(() => expect(state.windows).toHaveLength(1));
  return state.windows[0]!;
}

function stopShell(): void {
  for (const fn of state.appListeners.get('before-quit') ?? []) fn();
}

describe('preload', () => {
  it('exposes one function per contract method and an event subscription, nothing else', async () => {
    await import('../../electron/shell/preload');
    const api = state.exposed.quiesce as Record<string, (i: unknown) => Promise<unknown>>;
    const expected = [...METHOD_NAMES.map(bridgeFunctionName), 'onEvent'].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('send');
    await api.domainsList!({ hostId: 'h' });
    expect(state.invoke).toHaveBeenLastCalledWith('quiesce:domains.list', { hostId: 'h' });
  });
});

describe('IPC sender checks', () => {
  const webContents = {};
  const win = { webContents };
  const frame = (url: string, parent: unknown = null) => ({ url, parent });

  let isTrustedSender: typeof import('../../electron/shell/ipc').isTrustedSender;
  beforeEach(async () => {
    resetElectron();
    ({ isTrustedSender } = await import('../../electron/shell/ipc'));
  });

  it('trusts the main frame of our window showing our page', () => {
    expect(RENDERER_URL).toBe('app://quiesce/index.html');
    const event = { sender: webContents, senderFrame: frame(RENDERER_URL + '#x') } as never;
    expect(isTrustedSender(event, [win as never], RENDERER_URL)).toBe(true);
  });

  it('refuses other pages, subframes, other windows and missing frames', () => {
    const urls = [
      'https://evil.example/',
      // The page's old home: a file:// page is any file on the disk, not ours.
      'file:///opt/Quiesce/resources/app.asar/dist/renderer/index.html',
      'app://evil/index.html',
      'app://quiesce/other.html',
      'app://quiesce/index.html?x',
    ];
    const events = [
      ...urls.map((url) => ({ sender: webContents, senderFrame: frame(url) })),
      { sender: webContents, senderFrame: frame(RENDERER_URL, {}) },
      { sender: {}, senderFrame: frame(RENDERER_URL) },
      { sender: webContents, senderFrame: null },
    ];
    for (const e of events) {
      expect(isTrustedSender(e as never, [win as never], RENDERER_URL), JSON.stringify(e)).toBe(
        false,
      );
    }
  });

  it('registers exactly one handler per method and refuses untrusted senders', async () => {
    const { registerIpc } = await import('../../electron/shell/ipc');
    const dispatch = vi.fn(async () => ({ ok: true as const, value: 'ran' }));
    registerIpc(dispatch, () => [win as never], RENDERER_URL);
    expect([...state.ipcHandlers.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
    const handler = state.ipcHandlers.get(ipcChannel('hosts.list'))!;
    const bad = await handler({ sender: webContents, senderFrame: frame('https://evil/') }, {});
    expect(bad).toMatchObject({ ok: false });
    expect(dispatch).not.toHaveBeenCalled();
    const good = await handler({ sender: webContents, senderFrame: frame(RENDERER_URL) }, {});
    expect(good).toEqual({ ok: true, value: 'ran' });
    expect(dispatch).toHaveBeenCalledWith('hosts.list', {});
  });
});

describe('the app starts from app://, not file://', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'quiesce-electron-data-'));
    vi.stubEnv('QUIESCE_DATA_DIR', dataDir);
    vi.stubEnv('QUIESCE_AUTOCONNECT', '');
  });
  afterEach(() => {
    stopShell();
    vi.unstubAllEnvs();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('grants app:// its privileges before ready, serves it, and loads the page from it', async () => {
    const win = await startShell(false);
    expect(state.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    // Privileges can only be granted before ready; the handler only after.
    expect(state.order.indexOf('registerSchemesAsPrivileged')).toBeLessThan(
      state.order.indexOf('ready'),
    );
    expect(state.order.indexOf('handle:app')).toBeGreaterThan(state.order.indexOf('ready'));
    expect(win.loadedUrls).toEqual(['app://quiesce/index.html']);
    expect(win.loadedFiles).toEqual([]);
    // And IPC answers that page, in that window.
    const handler = state.ipcHandlers.get(ipcChannel('hosts.list'))!;
    const fromPage = { sender: win.webContents, senderFrame: { url: RENDERER_URL, parent: null } };
    expect(await handler(fromPage, {})).toEqual({ ok: true, value: [] });
    const fromFile = { ...fromPage, senderFrame: { url: 'file:///x/index.html', parent: null } };
    expect(await handler(fromFile, {})).toMatchObject({ ok: false });
  });

  it('hands the services the OS keychain, which refuses to remember passphrases on basic_text', async () => {
    const win = await startShell(false);
    const handler = state.ipcHandlers.get(ipcChannel('secrets.status'))!;
    const fromPage = { sender: win.webContents, senderFrame: { url: RENDERER_URL, parent: null } };
    const answer = (await handler(fromPage, {})) as {
      ok: boolean;
      value: { available: boolean; reason?: string };
    };
    expect(answer.ok).toBe(true);
    expect(answer.value.available).toBe(false);
    expect(answer.value.reason).toMatch(/basic_text/);
  });

  it('opens no DevTools in a packaged build, and allows them in a development run', async () => {
    const packaged = await startShell(true);
    expect(packaged.options.webPreferences).toMatchObject({
      devTools: false,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    // Should anything open them anyway, they are closed at once.
    const contentsListeners = new Map<string, () => void>();
    const contents = {
      on: (name: string, fn: () => void) => contentsListeners.set(name, fn),
      setWindowOpenHandler: vi.fn(),
      closeDevTools: vi.fn(),
    };
    for (const fn of state.appListeners.get('web-contents-created') ?? []) fn({}, contents);
    contentsListeners.get('devtools-opened')?.();
    expect(contents.closeDevTools).toHaveBeenCalled();
    stopShell();

    const development = await startShell(false);
    expect(development.options.webPreferences.devTools).toBe(true);
  });
});

describe('the app:// protocol handler', () => {
  let root: string;
  let rendererDir: string;
  let handle: ReturnType<typeof createAppProtocolHandler>;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'quiesce-app-protocol-'));
    rendererDir = join(root, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><p>the app</p>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
    handle = createAppProtocolHandler(rendererDir);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => handle({ url, method });

  it('serves the renderer’s files with their type and the CSP header', async () => {
    const page = await get('app://quiesce/index.html');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('the app');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP_HEADER);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await get('app://quiesce/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('app://quiesce/')).status).toBe(200);
  });

  it('refuses paths that leave the renderer folder, other hosts, and other methods', async () => {
    // The handler gets the URL string as Chromium hands it over, normalized or not.
    const outside = [
      'app://quiesce/..%2fsecret.txt',
      'app://quiesce/assets/..%2f..%2fsecret.txt',
      'app://quiesce/%2e%2e%2fsecret.txt',
      'app://quiesce/../secret.txt',
      'app://quiesce/..%5csecret.txt',
      'app://quiesce/%2fetc%2fpasswd',
      'app://quiesce//etc/passwd',
      'app://evil/index.html',
      'file:///etc/passwd',
      'app://quiesce/assets/',
    ];
    for (const url of outside) {
      const r = await get(url);
      expect([400, 404], url).toContain(r.status);
      const body = await r.text();
      expect(body, url).not.toContain('outside the renderer');
      expect(body, url).not.toContain('root:');
      expect(r.headers.get('content-security-policy'), url).toBe(RENDERER_CSP_HEADER);
    }
    expect((await get('app://quiesce/%E0%A4%A')).status).toBe(400);
    expect((await get('app://quiesce/index.html%00.js')).status).toBe(400);
    expect((await get('app://quiesce/index.html', 'POST')).status).toBe(405);
    const head = await get('app://quiesce/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('one Content Security Policy', () => {
  it('the page’s meta tag (as the build writes it) and both headers state the same policy', async () => {
    const page = withCspMeta(readFileSync('renderer/index.html', 'utf8'));
    const meta = cspFromMeta(page);
    expect(meta).toBe(RENDERER_CSP);
    // The header adds only what a meta tag cannot carry.
    expect(RENDERER_CSP_HEADER).toBe(`${meta}; frame-ancestors 'none'`);
    expect(meta).not.toContain('unsafe');
    expect(meta).toContain("script-src 'self'");

    // The Electron shell: the protocol's answers and the session's header on any response.
    await import('../../electron/shell/security').then(({ hardenSessions }) =>
      hardenSessions(false),
    );
    let headers: Record<string, string[]> = {};
    state.headersHandler!({ responseHeaders: { 'X-Other': ['1'] } }, (r: unknown) => {
      headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders;
    });
    expect(headers['Content-Security-Policy']).toEqual([RENDERER_CSP_HEADER]);
    expect(headers['X-Other']).toEqual(['1']);
  });

  it('refuses to build a page without the policy marker', () => {
    expect(() => withCspMeta('<!doctype html><title>x</title>')).toThrow(/Content-Security-Policy/);
  });
});

describe('Electron fuses of the packaged build', () => {
  it('are set in package.json for electron-builder, with keys its schema knows', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      build: { electronFuses?: Record<string, boolean> };
    };
    const fuses = pkg.build.electronFuses;
    expect(fuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // The page is no longer on file://, so file:// keeps no extra rights.
      grantFileProtocolExtraPrivileges: false,
    });
    // electron-builder refuses unknown keys (additionalProperties: false); a misspelt fuse
    // would fail packaging, so the names are checked against the schema it validates with.
    const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, { type: string }> } };
      properties: { electronFuses: unknown };
    };
    expect(JSON.stringify(schema.properties.electronFuses)).toContain('FuseOptionsV1');
    const known = schema.definitions.FuseOptionsV1.properties;
    for (const name of Object.keys(fuses!)) expect(known[name]?.type, name).toBe('boolean');
  });
});
