import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  Notification,
  protocol,
  safeStorage,
  screen,
} from 'electron';
import { join } from 'node:path';
import type { AppEvent } from '../../shared/events';
import { autoConnect, autoConnectIds } from '../services/auto-connect';
import { resolveAppPaths } from '../services/config/paths';
import { SettingsStore } from '../services/config/settings-store';
import { createDispatcher } from '../services/dispatch';
import { createQuiesceService } from '../services/quiesce-service';
import { aboutText } from './about';
import { appMenuTemplate } from './app-menu';
import {
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  RENDERER_URL,
  createAppProtocolHandler,
} from './app-protocol';
import { registerIpc, sendEvent } from './ipc';
import { electronKeychain } from './keychain';
import { operationNotice } from './operation-notice';
import { createQuitGuard } from './quit-guard';
import { createRunningOperations } from './running-operations';
import { hardenSessions, secureWebPreferences } from './security';
import { claimSingleInstance } from './single-instance';
import { MIN_HEIGHT, MIN_WIDTH, placeWindow } from './window-state';
import { loadWindowState, saveWindowState } from './window-state-file';

/**
 * The Electron shell: one instance, its window (where it was last time), the application menu,
 * the security settings, and IPC into the shared services.
 */
const rendererDir = join(__dirname, '..', 'renderer');
const windows = () => BrowserWindow.getAllWindows();
const running = createRunningOperations();
let mainWindow: BrowserWindow | undefined;

/** The window a menu action or a dialog belongs to. */
const frontWindow = () => BrowserWindow.getFocusedWindow() ?? mainWindow;

const quitGuard = createQuitGuard({
  running: running.list,
  ask: async (question) => {
    const options = {
      type: 'warning' as const,
      title: 'Quiesce',
      message: question.message,
      detail: question.detail,
      buttons: question.buttons,
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    };
    const win = frontWindow();
    const answer = win
      ? await dialog.showMessageBox(win, options)
      : await dialog.showMessageBox(options);
    return answer.response === 0;
  },
  quit: () => app.quit(),
});

function showAbout(): void {
  const text = aboutText(app.getVersion(), process.versions);
  const options = { type: 'info' as const, buttons: ['OK'], ...text };
  const win = frontWindow();
  void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

async function createWindow(stateDir: string): Promise<void> {
  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  // getAllDisplays does not promise the primary screen first; placeWindow wants it first.
  const primary = screen.getPrimaryDisplay().workArea;
  const same = (a: Electron.Rectangle) =>
    a.x === primary.x && a.y === primary.y && a.width === primary.width;
  const place = placeWindow(await loadWindowState(stateDir), [
    primary,
    ...workAreas.filter((a) => !same(a)),
  ]);
  const win = new BrowserWindow({
    ...(place.x !== undefined && place.y !== undefined ? { x: place.x, y: place.y } : {}),
    width: place.width,
    height: place.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'Quiesce',
    show: false,
    webPreferences: {
      ...secureWebPreferences(app.isPackaged),
      preload: join(__dirname, 'preload.cjs'),
    },
  });
  mainWindow = win;
  if (place.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    // A place that cannot be kept (a read-only folder) is not worth an error on the way out.
    void saveWindowState(stateDir, {
      ...win.getNormalBounds(),
      maximized: win.isMaximized(),
    }).catch(() => undefined);
    quitGuard.intercept(event);
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  void win.loadURL(RENDERER_URL);
}

function start(): void {
  // A scheme's privileges can only be granted before the app is ready.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.enableSandbox();
  void app.whenReady().then(async () => {
    protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
    hardenSessions(app.isPackaged);
    // The settings file lives in the app's own folder; it may move the data elsewhere.
    const { configDir, dataDir, knownHostsPath, settings } = await resolveAppPaths(
      process.env,
      process.env.QUIESCE_DATA_DIR || app.getPath('userData'),
    );
    const settingsStore = new SettingsStore(configDir);
    const notify = async (event: AppEvent) => {
      const notice = operationNotice(event);
      if (!notice || BrowserWindow.getFocusedWindow() || !Notification.isSupported()) return;
      const current = await settingsStore.read().catch(() => settings);
      if (current?.notifications.operationEnd === false) return;
      new Notification(notice).show();
    };
    const service = createQuiesceService({
      dataDir,
      knownHostsPath,
      settings: settingsStore,
      keychain: electronKeychain(safeStorage, process.platform),
      emit: (event) => {
        running.observe(event);
        sendEvent(windows(), event);
        void notify(event).catch(() => undefined);
      },
    });
    registerIpc(createDispatcher(service.handlers), windows, RENDERER_URL);
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate(
          {
            command: (command) => {
              const win = frontWindow();
              if (win) sendEvent([win], { type: 'menu', command });
            },
            about: showAbout,
          },
          { mac: process.platform === 'darwin', devTools: !app.isPackaged },
        ),
      ),
    );
    await createWindow(configDir);
    void autoConnect(service.handlers, autoConnectIds());
    app.on('activate', () => {
      if (windows().length === 0) void createWindow(configDir);
    });
    app.on('before-quit', (event?: { preventDefault: () => void }) => {
      let stopped = false;
      quitGuard.intercept({
        preventDefault: () => {
          stopped = true;
          event?.preventDefault();
        },
      });
      if (!stopped) service.dispose();
    });
  });
  app.on('window-all-closed', () => app.quit());
}

if (claimSingleInstance(app, () => mainWindow)) start();
