import { AppEventSchema, type AppEvent } from '../../shared/events';
import type { MethodName } from '../../shared/methods';
import { RemoteError, unwrap, type CallResult, type Transport } from './transport';

/**
 * The browser shell's transport: JSON requests over one WebSocket to the page's own origin (the
 * token travels as the cookie the loader page set). Reconnects after a drop; calls made while
 * disconnected wait for the socket.
 */
export function createWsTransport(url = `ws://${location.host}/ws`): Transport {
  const listeners = new Set<(event: AppEvent) => void>();
  const pending = new Map<number, (result: CallResult) => void>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;

  function open(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
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
          const parsed = AppEventSchema.safeParse(data.event);
          if (parsed.success) for (const l of listeners) l(parsed.data);
        }
      };
      ws.onclose = () => {
        socket = undefined;
        opened = undefined;
        for (const [, settle] of pending) {
          settle({
            ok: false,
            error: {
              code: 'not-connected',
              message: 'The connection to Quiesce was lost.',
              remedy: 'Check that "npm run web" still runs, then reload the page.',
            },
          });
        }
        pending.clear();
        reject(new RemoteError({ code: 'not-connected', message: 'Quiesce is not reachable.' }));
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
  } as Transport;
}
