import type { AppErrorShape, ErrorCode } from '../../shared/errors';

/**
 * An error meant for the admin: what happened, why, and what to do next (docs/ARCHITECTURE.md,
 * "Errors that say what to do"). Anything else thrown inside a service is a bug and reaches the UI
 * only as a generic message.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { cause?: string; remedy?: string } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  toShape(): AppErrorShape {
    return { code: this.code, message: this.message, ...this.details };
  }
}

/** Turns anything thrown into the shape the UI shows, without leaking stack traces. */
export function toAppErrorShape(err: unknown): AppErrorShape {
  if (err instanceof AppError) return err.toShape();
  const text = err instanceof Error ? err.message : String(err);
  return {
    code: 'internal',
    message: 'Quiesce hit an unexpected error.',
    cause: text,
    remedy: 'Try again; if it persists, report it with the steps that led here.',
  };
}
