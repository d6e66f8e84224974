import type { CallResult } from '../../shared/contract';
import type { AppEvent } from '../../shared/events';
import type { MethodName } from '../../shared/methods';
import { RemoteError, unwrap, type Transport } from './transport';

const LOST: CallResult = {
  ok: false,
  error: {
    code: 'not-connected',
    message: 'The connection to Quiesce was lost.',
    remedy: 'Check that "npm run web" still runs, then try again.',
  },
};

/**
 * The browser shell's transport: JSON requests over one WebSocket to the page's own origin (the
 * token travels as the cookie the loader page set). While anyone listens for events, a dropped
 * socket is reopened with backoff, and `onReconnect` listeners are told so they can re-read state.
 */
export function createWsTransport(url = `ws://${location.host}/ws`): Transport {
  const listeners = new Set<(event: AppEvent) => void>();
  const reconnectListeners = new Set<() => void>();
  const pending = new Map<number, (result: CallResult) => void>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;
  let everOpened = false;
  let retryMs = 500;
  // Events are checked against their schema before anyone sees them; the schemas (and the
  // validation library) load with the first event, not with the first screen. Events wait in
  // order until then.
  const inbox: unknown[] = [];
  let check: ((event: unknown) => AppEvent | undefined) | undefined;
  let loading: Promise<void> | undefined;

  function deliver(): void {
    if (!check) {
      loading ??= import('../../shared/events').then(({ AppEventSchema }) => {
        check = (event) => {
          const parsed = AppEventSchema.safeParse(event);
          return parsed.success ? parsed.data : undefined;
        };
        deliver();
      });
      return;
    }
    for (const raw of inbox.splice(0)) {
      const event = check(raw);
      if (event) for (const l of listeners) l(event);
    }
  }

  function scheduleReopen(): void {
    if (listeners.size === 0) return;
    setTimeout(() => void open().catch(() => undefined), retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  }

  function open(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      let wasOpen = false;
      ws.onopen = () => {
        wasOpen = true;
        socket = ws;
        retryMs = 500;
        if (everOpened) for (const l of reconnectListeners) l();
        everOpened = true;
        resolve(ws);
      };
      ws.onmessage = (msg) => {
        const data = JSON.parse(String(msg.data)) as {
          id?: number;
          result?: CallResult;
          event?: unknown;
        };
        if (data.id !== undefined && data.result) {
          pending.get(data.id)?.(data.result);
          pending.delete(data.id);
        } else if (data.event) {
          inbox.push(data.event);
          deliver();
        }
      };
      ws.onclose = () => {
        socket = undefined;
        opened = undefined;
        for (const [, settle] of pending) settle(LOST);
        pending.clear();
        if (!wasOpen)
          reject(new RemoteError({ code: 'not-connected', message: 'Quiesce is not reachable.' }));
        scheduleReopen();
      };
    });
    opened.catch(() => undefined);
    return opened;
  }

  return {
    async call(method: MethodName, input: unknown) {
      const ws = socket ?? (await open());
      const id = nextId++;
      const result = await new Promise<CallResult>((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, input }));
      });
      return unwrap(result);
    },
    subscribe(listener) {
      listeners.add(listener);
      void open().catch(() => undefined);
      return () => listeners.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
  } as Transport;
}
