import { app, BrowserWindow, protocol } from 'electron';
import { join } from 'node:path';
import { autoConnect, autoConnectIds } from '../services/auto-connect';
import { defaultKnownHostsPath } from '../services/config/paths';
import { createDispatcher } from '../services/dispatch';
import { createQuiesceService } from '../services/quiesce-service';
import {
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  RENDERER_URL,
  createAppProtocolHandler,
} from './app-protocol';
import { registerIpc, sendEvent } from './ipc';
import { hardenSessions, secureWebPreferences } from './security';

/** The Electron shell: a window, the security settings, and IPC into the shared services. */
const rendererDir = join(__dirname, '..', 'renderer');
const windows = () => BrowserWindow.getAllWindows();

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Quiesce',
    show: false,
    webPreferences: {
      ...secureWebPreferences(app.isPackaged),
      preload: join(__dirname, 'preload.cjs'),
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(RENDERER_URL);
}

// A scheme's privileges can only be granted before the app is ready.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
void app.whenReady().then(() => {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
  hardenSessions(app.isPackaged);
  const service = createQuiesceService({
    dataDir: process.env.QUIESCE_DATA_DIR ?? app.getPath('userData'),
    knownHostsPath: defaultKnownHostsPath(),
    emit: (event) => sendEvent(windows(), event),
  });
  registerIpc(createDispatcher(service.handlers), windows, RENDERER_URL);
  createWindow();
  void autoConnect(service.handlers, autoConnectIds());
  app.on('activate', () => {
    if (windows().length === 0) createWindow();
  });
  app.on('before-quit', () => service.dispose());
});
app.on('window-all-closed', () => app.quit());
