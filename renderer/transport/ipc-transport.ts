import type { CallResult } from '../../shared/contract';
import { bridgeFunctionName, type MethodName } from '../../shared/methods';
import type { AppEvent } from '../../shared/events';
import { unwrap, type Transport } from './transport';

/** The bridge the Electron preload exposes: one function per contract method, plus events. */
export type QuiesceBridge = Record<string, (input: unknown) => Promise<CallResult>> & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};

declare global {
  interface Window {
    quiesce?: QuiesceBridge;
  }
}

export function createIpcTransport(bridge: QuiesceBridge): Transport {
  return {
    async call(method: MethodName, input: unknown) {
      const fn = bridge[bridgeFunctionName(method)];
      if (typeof fn !== 'function') throw new Error(`The preload does not expose ${method}`);
      return unwrap(await fn(input));
    },
    subscribe: (listener) => bridge.onEvent(listener),
    onReconnect: () => () => undefined,
  } as Transport;
}
