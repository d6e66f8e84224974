import type { CallResult, MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import type { AppErrorShape } from '../../shared/errors';
import type { AppEvent } from '../../shared/events';

/** An error from main, already written for people: message, cause, remedy. */
export class RemoteError extends Error {
  constructor(readonly shape: AppErrorShape) {
    super(shape.message);
    this.name = 'RemoteError';
  }
}

/**
 * The renderer's only way to main: the contract's methods and its event stream. Chosen once at
 * start (Electron IPC or the browser shell's WebSocket); components never know which.
 */
export interface Transport {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  subscribe(listener: (event: AppEvent) => void): () => void;
  /**
   * Called after the link to main came back from a drop (events may have been missed, so the
   * app re-reads what it shows). The Electron IPC link never drops and never calls it.
   */
  onReconnect(listener: () => void): () => void;
}

export function unwrap<T>(result: CallResult): T {
  if (result.ok) return result.value as T;
  throw new RemoteError(result.error);
}
