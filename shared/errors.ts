import { z } from 'zod';

/**
 * The one error shape that crosses from main to the renderer
 * (docs/ARCHITECTURE.md, "Errors that say what to do"): what happened, why, and what to do next.
 * Never a stack trace.
 */
export const AppErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  cause: z.string().optional(),
  remedy: z.string().optional(),
});
export type AppErrorShape = z.infer<typeof AppErrorSchema>;

export const ERROR_CODES = [
  'invalid-input',
  'not-found',
  'not-connected',
  'auth-failed',
  'key-file',
  'connect-failed',
  'host-command-failed',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
