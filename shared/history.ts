import { z } from 'zod';
import { OperationSummarySchema, SnapshotLabelSchema } from './snapshot';

/** One layer of a disk's backing chain, top (the live overlay) first. */
export const ChainLayerSchema = z.object({
  file: z.string(),
  format: z.string(),
  actualSize: z.number().nullable(),
  virtualSize: z.number().nullable(),
});

export const DiskChainSchema = z.object({
  target: z.string(),
  layers: z.array(ChainLayerSchema),
  /** Set when the chain is long enough to slow the guest's reads and each new snapshot. */
  warning: z.string().optional(),
});
export type DiskChain = z.infer<typeof DiskChainSchema>;

/** A snapshot as libvirt knows it, with what Quiesce recorded about it (when Quiesce made it). */
export const HistoryEntrySchema = z.object({
  name: z.string(),
  description: z.string(),
  /** ISO time libvirt recorded. */
  createdAt: z.string().nullable(),
  parent: z.string().nullable(),
  state: z.string(),
  /** Per disk: the overlay file holding the writes made after this snapshot. */
  disks: z.array(
    z.object({ target: z.string(), snapshot: z.string(), file: z.string().nullable() }),
  ),
  /** Bytes of this snapshot's overlays on disk. */
  sizeBytes: z.number().nullable(),
  madeByQuiesce: z.boolean(),
  label: SnapshotLabelSchema.optional(),
  windowMs: z.number().nullable(),
  workstation: z.string().optional(),
  user: z.string().optional(),
  opId: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const HistorySchema = z.object({
  snapshots: z.array(HistoryEntrySchema),
  chains: z.array(DiskChainSchema),
  /** Every Quiesce operation on this domain (failed ones too), newest first. */
  operations: z.array(OperationSummarySchema),
  abilities: z.object({
    libvirt: z.string(),
    /** libvirt ≥ 9.0 deletes external snapshots (merging the overlay). */
    deleteExternal: z.boolean(),
    /** libvirt ≥ 9.9 reverts to external snapshots. */
    revertExternal: z.boolean(),
  }),
});
export type History = z.infer<typeof HistorySchema>;
