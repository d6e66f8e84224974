import { z } from 'zod';
import { RestoreDiskProgressSchema } from './export';
import { journalSummaryFields } from './operation-state';
import { IsoTimeSchema } from './values';

/**
 * A restore from an export as a detached host operation (docs/export.md, "A restore as a host
 * operation"): host-scripts/restore-runner.sh runs the restore script on the host and journals
 * what it prints; electron/services/export/restore-journal.ts folds the journal into this
 * summary, so an app that reconnects finds a running restore, follows it and cancels it.
 */

/**
 * Its phases, in the order they run: the checks before any byte is written, the copy of each
 * disk's chain (the only phase a cancel is honoured in), then a new domain's define and start or,
 * over the original, the guest's stop, the switch of its definition and its start.
 */
export const RestorePhaseSchema = z.enum(['check', 'copy', 'define', 'stop', 'switch', 'start']);
export type RestorePhase = z.infer<typeof RestorePhaseSchema>;

/** A new domain (export.restore) or over the domain the export was taken of (restoreOriginal). */
export const RestoreKindSchema = z.enum(['restore', 'restore-original']);
export type RestoreKind = z.infer<typeof RestoreKindSchema>;

/**
 * An export's or a cancel's id as restore-runner.sh accepts it and its journal's start line
 * carries it (letters, digits and "-"); "" while the journal has no start line.
 */
const RunnerIdSchema = z.string().regex(/^[0-9A-Za-z-]*$/);

export const RestoreRunSchema = z.object({
  ...journalSummaryFields(RestorePhaseSchema),
  kind: RestoreKindSchema.nullable(),
  /** The domain the export was taken of, and the export. */
  uuid: z.string(),
  exportId: RunnerIdSchema,
  /** The cancel's name (export.restoreCancel). */
  restoreId: RunnerIdSchema,
  /** A new domain's name ("" over the original). */
  name: z.string(),
  /** Each disk's latest progress line, in the order the disks were copied. */
  disks: z.array(RestoreDiskProgressSchema),
  /** The images copied so far (the script's "disk" lines). */
  images: z.array(z.object({ target: z.string(), image: z.string() })),
  /** The copy is over: a cancel is no longer honoured. */
  copied: z.boolean(),
  cancelled: z.boolean(),
  /** The restore script's exit status, once it ended (76: cancelled). */
  code: z.number().int().nullable(),
  /** The restore script's own lines other than progress, for its answer (export-restore.ts). */
  output: z.array(z.string()),
  /** Wall-clock start on the host, ISO; null if unknown. */
  startedAt: IsoTimeSchema.nullable(),
});
export type RestoreRun = z.infer<typeof RestoreRunSchema>;
