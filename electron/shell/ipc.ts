import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNEL, METHOD_NAMES, ipcChannel } from '../../shared/methods';
import type { AppEvent } from '../../shared/events';
import type { Dispatch } from '../services/dispatch';

/**
 * Is this IPC from the app's own page? Only the main frame of one of our windows, showing our
 * own renderer page (app://quiesce/index.html, app-protocol.ts), may call main (a navigated or
 * injected frame may not).
 */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>,
  windows: readonly Pick<BrowserWindow, 'webContents'>[],
  rendererUrl: string,
): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!windows.some((w) => w.webContents === event.sender)) return false;
  return frame.url.split('#')[0] === rendererUrl;
}

/** Registers one handler per contract method, each checking the sender before dispatching. */
export function registerIpc(
  dispatch: Dispatch,
  windows: () => readonly BrowserWindow[],
  rendererUrl: string,
): void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), (event, input: unknown) => {
      if (!isTrustedSender(event, windows(), rendererUrl)) {
        return {
          ok: false,
          error: { code: 'invalid-input', message: 'Refused: not the app’s own page.' },
        };
      }
      return dispatch(method, input);
    });
  }
}

export function sendEvent(windows: readonly BrowserWindow[], event: AppEvent): void {
  for (const w of windows) if (!w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, event);
}
