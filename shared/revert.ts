import { z } from 'zod';
import { GuestStopPreviewSchema, guestStopOptionsSchema } from './guest-stop';
import { journalSummaryFields } from './operation-state';
import { OperationIdSchema, SnapshotRefSchema } from './refs';
import { ByteCountSchema, IsoTimeSchema } from './values';

/**
 * Quiesce's own revert (for a libvirt that cannot revert external snapshots): what the renderer
 * asks for, what it is shown before confirming, how it goes, and the discarded branches it
 * leaves. The host side is electron/services/host-scripts/revert-runner.sh.
 */

/** What to revert to: a snapshot (by its exact name), or a discarded branch (by its id). */
export const RevertTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('snapshot'), name: SnapshotRefSchema }),
  /** A branch's id is the id of the revert that left it. */
  z.object({ kind: z.literal('branch'), id: OperationIdSchema }),
]);
export type RevertTarget = z.infer<typeof RevertTargetSchema>;

/** A revert forces the guest off only when the admin says so. */
export const RevertOptionsSchema = guestStopOptionsSchema(false);

/** One disk of a revert: the image the target froze, and the new overlay put on top of it. */
export const RevertDiskSchema = z.object({
  /** The disk's target device (vda…). */
  target: z.string(),
  /** The image that takes the guest's state back (stays untouched: read-only from now on). */
  frozen: z.string(),
  /** The frozen image's format (qcow2 or raw): the new overlay's backing format. */
  format: z.string(),
  /** The domain's disk now (its state goes into the discarded branch). */
  current: z.string(),
  /** The new overlay the domain will write to. */
  overlay: z.string(),
});
export type RevertDisk = z.infer<typeof RevertDiskSchema>;

/** What the confirmation says: what stops, what is kept, what the guest will look like. */
export const RevertPreviewSchema = GuestStopPreviewSchema.extend({
  disks: z.array(RevertDiskSchema),
  /** Snapshots after the target, kept (listed in the branch, still revertable). */
  laterSnapshots: z.array(z.string()),
  /** The snapshot that becomes current afterwards, if any. */
  current: z.string().nullable(),
  /** The same, in the confirmation's sentences. */
  text: z.object({ stops: z.string(), kept: z.string(), becomes: z.string() }),
  /** Who reverts: libvirt's own snapshot-revert (≥ 9.9, a snapshot) or Quiesce's procedure. */
  procedure: z.enum(['libvirt', 'quiesce']).default('quiesce'),
  /** A full checkpoint: the guest resumes from its saved memory instead of booting. */
  memory: z.boolean().default(false),
});
export type RevertPreview = z.infer<typeof RevertPreviewSchema>;

/** The revert runner's phases (revert-runner.sh), in the order it runs them. */
export const RevertPhaseSchema = z.enum([
  'lock',
  'settle',
  'preflight',
  'prepare',
  'stop',
  'keep',
  'switch',
  'branch',
  'current',
  'start',
  'verify',
  'runner',
]);

/** A revert as its journal tells it. */
export const RevertSummarySchema = z.object({
  ...journalSummaryFields(RevertPhaseSchema),
  /** A revert to a target, or the recovery of reverts that died half-way (no new target). */
  mode: z.enum(['revert', 'recover']).nullable(),
  /** The last progress line (e.g. "waiting for the guest to stop: 10 s of 120 s"). */
  progress: z.string().nullable(),
  /** finished: the domain is on the target; rolled-back: as it was; untouched; unknown. */
  outcome: z.enum(['finished', 'rolled-back', 'untouched', 'unknown', 'settled']).nullable(),
  /** Earlier reverts this run finished or rolled back. */
  settled: z.array(z.object({ opId: z.string(), act: z.string() })),
  /** Seconds from the guest's start until its agent answered; null: not started, or no answer. */
  agentAfterS: z.number().nullable(),
});
export type RevertSummary = z.infer<typeof RevertSummarySchema>;

/** The state a revert left: its disks' tops and the snapshots after the reverted one. */
export const BranchSchema = z.object({
  /** The id of the revert that left it. */
  id: z.string(),
  createdAt: IsoTimeSchema.nullable(),
  /** What the revert went to: a snapshot's name, or another branch's id. */
  revertedTo: RevertTargetSchema,
  /** The snapshot the domain descended from when it left this state. */
  from: z.string().nullable(),
  /** Each disk's top file as the revert left it (the branch's own writes). */
  disks: z.array(z.object({ target: z.string(), top: z.string(), format: z.string() })),
  /** The snapshots that were after the reverted one. */
  snapshots: z.array(z.string()),
  /** Bytes of its top files on disk (null when they could not be measured). */
  sizeBytes: ByteCountSchema.nullable(),
  /** Every top file still exists: it can be reverted to. */
  intact: z.boolean(),
  /** Its top files were deleted (branch delete): kept in the list, no longer revertable. */
  deleted: z.boolean(),
});
export type Branch = z.infer<typeof BranchSchema>;
