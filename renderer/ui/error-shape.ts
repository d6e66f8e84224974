import type { AppErrorShape } from '../../shared/errors';
import { RemoteError } from '../transport/transport';

/**
 * The shape every error box shows. Errors from main already say what, why and what to do; anything
 * else is a renderer bug, shown briefly rather than as a stack trace (docs/ARCHITECTURE.md, "Errors that say what to do").
 */
export function errorShape(err: unknown): AppErrorShape {
  if (err instanceof RemoteError) return err.shape;
  return {
    code: 'internal',
    message: 'Something went wrong in the Quiesce window.',
    cause: err instanceof Error ? err.message : String(err),
    remedy: 'Reload the window; if it happens again, report the steps that led here.',
  };
}
