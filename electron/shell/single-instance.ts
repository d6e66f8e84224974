import type { App, BrowserWindow } from 'electron';

/**
 * One Quiesce per desktop session: two would follow the same operations and write the same
 * files. A second launch hands over to the first, which comes to the front; the second quits.
 * Returns false in the second one.
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'on' | 'quit'>,
  mainWindow: () => BrowserWindow | undefined,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const win = mainWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  return true;
}
