import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { autoConnect, autoConnectIds } from '../services/auto-connect';
import { defaultKnownHostsPath } from '../services/config/paths';
import { createDispatcher } from '../services/dispatch';
import { createQuiesceService } from '../services/quiesce-service';
import { registerIpc, sendEvent } from './ipc';
import { SECURE_WEB_PREFERENCES, hardenSessions } from './security';

/** The Electron shell: a window, the security settings, and IPC into the shared services. */
const rendererFile = join(__dirname, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererFile).href;
const windows = () => BrowserWindow.getAllWindows();

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Quiesce',
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: join(__dirname, 'preload.cjs') },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererFile);
}

app.enableSandbox();
void app.whenReady().then(() => {
  hardenSessions();
  const service = createQuiesceService({
    dataDir: process.env.QUIESCE_DATA_DIR ?? app.getPath('userData'),
    knownHostsPath: defaultKnownHostsPath(),
    emit: (event) => sendEvent(windows(), event),
  });
  registerIpc(createDispatcher(service.handlers), windows, rendererUrl);
  createWindow();
  void autoConnect(service.handlers, autoConnectIds());
  app.on('activate', () => {
    if (windows().length === 0) createWindow();
  });
  app.on('before-quit', () => service.dispose());
});
app.on('window-all-closed', () => app.quit());
