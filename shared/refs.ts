import { z } from 'zod';

/**
 * How a request names one thing on a host, once for every method that takes it: an operation by
 * its id, a snapshot by its exact name. What a method that starts an operation answers.
 */

/** An operation's id: its UTC start stamp and 8 hex digits (newOpId, electron/services/snapshot/launch.ts). */
export const OPERATION_ID = /^[0-9TZ]+-[0-9a-f]{8}$/;

/** An operation's id in a request: the journal (and, for an export, the folder) it names. */
export const OperationIdSchema = z.string().regex(OPERATION_ID, 'Not an operation id');

/** Names of existing snapshots (maybe not made by Quiesce): any text a line long; always quoted. */
export const SnapshotRefSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\n\r\0]+$/, 'Not a snapshot name');

/** What a method that starts an operation answers: its id, to follow it by (events, `….get`). */
export const OperationStartedSchema = z.object({ opId: z.string() });
