import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, METHOD_NAMES, bridgeFunctionName, ipcChannel } from '../../shared/methods';

/**
 * The whole surface the renderer gets: one function per contract method (each bound to its own
 * channel) and an event subscription. Never ipcRenderer itself, never a generic "invoke".
 */
const bridge: Record<string, unknown> = {};
for (const method of METHOD_NAMES) {
  const channel = ipcChannel(method);
  bridge[bridgeFunctionName(method)] = (input: unknown) => ipcRenderer.invoke(channel, input);
}
bridge.onEvent = (listener: (event: unknown) => void) => {
  const wrapped = (_e: IpcRendererEvent, event: unknown) => listener(event);
  ipcRenderer.on(EVENT_CHANNEL, wrapped);
  return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
};

contextBridge.exposeInMainWorld('quiesce', bridge);
