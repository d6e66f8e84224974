import { vi } from 'vitest';

/**
 * A stand-in for the `electron` module (the binary cannot be downloaded on these machines) that
 * records what the shell asks of it. Kept on globalThis so the state survives vi.resetModules()
 * between starts of electron/shell/main.ts.
 */
type Listener = (...args: unknown[]) => unknown;

export class FakeWindow {
  static all: FakeWindow[] = [];
  static focused: FakeWindow | undefined;
  static getAllWindows = () => FakeWindow.all;
  static getFocusedWindow = () => FakeWindow.focused;
  listeners = new Map<string, Listener[]>();
  sent: { channel: string; payload: unknown }[] = [];
  webContents = {
    send: (channel: string, payload: unknown) => this.sent.push({ channel, payload }),
  };
  bounds: { x: number; y: number; width: number; height: number };
  maximized = false;
  minimized = false;
  calls: string[] = [];
  loadedUrls: string[] = [];
  constructor(
    public options: {
      x?: number;
      y?: number;
      width: number;
      height: number;
      webPreferences: Record<string, unknown>;
    },
  ) {
    this.bounds = {
      x: options.x ?? 100,
      y: options.y ?? 100,
      width: options.width,
      height: options.height,
    };
    FakeWindow.all.push(this);
  }
  on(name: string, fn: Listener) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  once(name: string, fn: Listener) {
    this.on(name, fn);
  }
  /** Fires a window event as Electron would; returns whether a listener prevented it. */
  fire(name: string): boolean {
    let prevented = false;
    const event = { preventDefault: () => (prevented = true) };
    for (const fn of this.listeners.get(name) ?? []) fn(event);
    return prevented;
  }
  show() {
    this.calls.push('show');
  }
  focus() {
    this.calls.push('focus');
  }
  restore() {
    this.calls.push('restore');
    this.minimized = false;
  }
  maximize() {
    this.maximized = true;
  }
  isMaximized = () => this.maximized;
  isMinimized = () => this.minimized;
  isDestroyed = () => false;
  getNormalBounds = () => this.bounds;
  loadURL(url: string) {
    this.loadedUrls.push(url);
    return Promise.resolve();
  }
}

export function fakeElectronState() {
  const g = globalThis as { __quiesceFakeElectron?: ReturnType<typeof create> };
  g.__quiesceFakeElectron ??= create();
  return g.__quiesceFakeElectron;
}

function create() {
  const state = {
    lockGranted: true,
    isPackaged: false,
    userData: '',
    appListeners: new Map<string, Listener[]>(),
    quit: vi.fn(),
    menuTemplate: undefined as unknown,
    messageBoxes: [] as { options: Record<string, unknown> }[],
    messageBoxAnswer: 1,
    displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    notifications: [] as unknown[],
    privileged: [] as unknown[],
    protocolHandlers: new Map<
      string,
      (request: { url: string; method: string }) => Promise<Response>
    >(),
    reset() {
      state.privileged.length = 0;
      state.protocolHandlers.clear();
      state.appListeners.clear();
      state.quit.mockReset();
      state.menuTemplate = undefined;
      state.messageBoxes.length = 0;
      state.notifications.length = 0;
      FakeWindow.all = [];
      FakeWindow.focused = undefined;
    },
    /** Fires an app event with a preventable event object; returns whether it was prevented. */
    fireApp(name: string, ...args: unknown[]): boolean {
      let prevented = false;
      const event = { preventDefault: () => (prevented = true) };
      for (const fn of state.appListeners.get(name) ?? []) fn(event, ...args);
      return prevented;
    },
  };
  const module = {
    app: {
      get isPackaged() {
        return state.isPackaged;
      },
      requestSingleInstanceLock: () => state.lockGranted,
      enableSandbox: () => undefined,
      whenReady: () => Promise.resolve(),
      getPath: () => state.userData,
      getVersion: () => '1.2.3',
      quit: state.quit,
      on: (name: string, fn: Listener) =>
        state.appListeners.set(name, [...(state.appListeners.get(name) ?? []), fn]),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privileged.push(...schemes),
      handle: (scheme: string, handler: never) => state.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
        webRequest: { onHeadersReceived: () => undefined },
      },
    },
    ipcMain: { handle: () => undefined },
    BrowserWindow: FakeWindow,
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => (state.menuTemplate = menu),
    },
    dialog: {
      showMessageBox: async (...args: unknown[]) => {
        const options = args[args.length - 1] as Record<string, unknown>;
        state.messageBoxes.push({ options });
        return { response: state.messageBoxAnswer };
      },
    },
    Notification: class {
      static isSupported = () => true;
      constructor(public options: unknown) {}
      show() {
        state.notifications.push(this.options);
      }
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain: string) => Buffer.from(`sealed:${plain}`),
      decryptString: (sealed: Buffer) => sealed.toString().replace(/^sealed:/, ''),
    },
    screen: {
      getAllDisplays: () => state.displays,
      getPrimaryDisplay: () => state.displays[0]!,
    },
  };
  return { state, module };
}
