import { z } from 'zod';

/** What kind of failure an error is; the words for people are in its message. */
export const ErrorCodeSchema = z.enum([
  'invalid-input',
  'not-found',
  'not-connected',
  'auth-failed',
  'key-file',
  'connect-failed',
  'host-command-failed',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/**
 * The one error shape that crosses from main to the renderer
 * (docs/ARCHITECTURE.md, "Errors that say what to do"): what happened, why, and what to do next.
 * Never a stack trace.
 */
export const AppErrorSchema = z.object({
  code: ErrorCodeSchema,
  /** What happened, in one sentence for people. */
  message: z.string(),
  /** Why: the underlying words (virsh's, ssh's), as they were. */
  cause: z.string().optional(),
  /** What to do next. */
  remedy: z.string().optional(),
});
export type AppErrorShape = z.infer<typeof AppErrorSchema>;
