import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The Electron shell runs here without the Electron binary (it cannot be downloaded on these
 * machines): `electron` is mocked, and what is checked is what the shell asks of it.
 */
const exposed: Record<string, unknown> = {};
const handlers = new Map<string, (event: unknown, input: unknown) => unknown>();
const invoke = vi.fn(async (channel: string, input: unknown) => ({ channel, input }));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: Record<string, unknown>) => (exposed[key] = api),
  },
  ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
  ipcMain: { handle: (channel: string, fn: never) => handlers.set(channel, fn) },
  app: { on: vi.fn() },
  session: {},
}));

const { METHOD_NAMES, bridgeFunctionName, ipcChannel } = await import('../../shared/methods');

describe('preload', () => {
  it('exposes one function per contract method and an event subscription, nothing else', async () => {
    await import('../../electron/shell/preload');
    const api = exposed.quiesce as Record<string, (i: unknown) => Promise<unknown>>;
    const expected = [...METHOD_NAMES.map(bridgeFunctionName), 'onEvent'].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('send');
    await api.domainsList!({ hostId: 'h' });
    expect(invoke).toHaveBeenLastCalledWith('quiesce:domains.list', { hostId: 'h' });
  });
});

describe('IPC sender checks', () => {
  const rendererUrl = 'file:///opt/Quiesce/resources/app/dist/renderer/index.html';
  const webContents = {};
  const win = { webContents };
  const frame = (url: string, parent: unknown = null) => ({ url, parent });

  let isTrustedSender: typeof import('../../electron/shell/ipc').isTrustedSender;
  beforeEach(async () => {
    ({ isTrustedSender } = await import('../../electron/shell/ipc'));
  });

  it('trusts the main frame of our window showing our page', () => {
    const event = { sender: webContents, senderFrame: frame(rendererUrl + '#x') } as never;
    expect(isTrustedSender(event, [win as never], rendererUrl)).toBe(true);
  });

  it('refuses other pages, subframes, other windows and missing frames', () => {
    const other = { sender: webContents, senderFrame: frame('https://evil.example/') } as never;
    const sub = { sender: webContents, senderFrame: frame(rendererUrl, {}) } as never;
    const foreign = { sender: {}, senderFrame: frame(rendererUrl) } as never;
    const gone = { sender: webContents, senderFrame: null } as never;
    for (const e of [other, sub, foreign, gone]) {
      expect(isTrustedSender(e, [win as never], rendererUrl)).toBe(false);
    }
  });

  it('registers exactly one handler per method and refuses untrusted senders', async () => {
    const { registerIpc } = await import('../../electron/shell/ipc');
    const dispatch = vi.fn(async () => ({ ok: true as const, value: 'ran' }));
    registerIpc(dispatch, () => [win as never], rendererUrl);
    expect([...handlers.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
    const handler = handlers.get(ipcChannel('hosts.list'))!;
    const bad = await handler({ sender: webContents, senderFrame: frame('https://evil/') }, {});
    expect(bad).toMatchObject({ ok: false });
    expect(dispatch).not.toHaveBeenCalled();
    const good = await handler({ sender: webContents, senderFrame: frame(rendererUrl) }, {});
    expect(good).toEqual({ ok: true, value: 'ran' });
    expect(dispatch).toHaveBeenCalledWith('hosts.list', {});
  });
});

describe('window security settings', () => {
  it('isolate, sandbox and deny Node in the renderer', async () => {
    const { SECURE_WEB_PREFERENCES, CONTENT_SECURITY_POLICY } =
      await import('../../electron/shell/security');
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });
});
