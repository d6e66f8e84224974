import { createIpcTransport } from './ipc-transport';
import type { Transport } from './transport';
import { createWsTransport } from './ws-transport';

/** Electron's preload sets window.quiesce; anywhere else we are behind the browser shell. */
export function chooseTransport(): Transport {
  return window.quiesce ? createIpcTransport(window.quiesce) : createWsTransport();
}
