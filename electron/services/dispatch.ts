import { contract, type CallResult, type MethodName } from '../../shared/contract';
import { METHOD_NAMES } from '../../shared/methods';
import { AppError, toAppErrorShape } from './app-error';
import type { Handlers } from './quiesce-service';

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (METHOD_NAMES as readonly string[]).includes(name);
}

/**
 * The single entry from either shell into the services: validates the input against the
 * contract, runs the handler, validates the output, and turns failures into an error for people.
 */
export function createDispatcher(handlers: Handlers) {
  return async function dispatch(method: unknown, rawInput: unknown): Promise<CallResult> {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'invalid-input', message: 'Unknown method.' } };
    }
    const spec = contract[method];
    const input = spec.input.safeParse(rawInput ?? {});
    if (!input.success) {
      const first = input.error.issues[0];
      return {
        ok: false,
        error: new AppError('invalid-input', first?.message ?? 'Invalid input.', {
          cause: first ? `${first.path.join('.') || 'input'}: ${first.message}` : undefined,
        }).toShape(),
      };
    }
    try {
      const handler = handlers[method] as (i: unknown) => Promise<unknown>;
      const value = spec.output.parse(await handler(input.data));
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: toAppErrorShape(err) };
    }
  };
}
export type Dispatch = ReturnType<typeof createDispatcher>;
