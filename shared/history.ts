import { z } from 'zod';
import { OperationSummarySchema, SnapshotLabelSchema } from './snapshot';
import { ByteCountSchema, DurationMsSchema, IsoTimeSchema } from './values';

/** One layer of a disk's backing chain, top (the live overlay) first. */
export const ChainLayerSchema = z.object({
  file: z.string(),
  /** The image format ("" when libvirt's view did not say). */
  format: z.string(),
  /** Bytes on disk, and the size the guest sees; null when not measured. */
  actualSize: ByteCountSchema.nullable(),
  virtualSize: ByteCountSchema.nullable(),
});

/** One disk's backing chain (the disk by its target device, vda…). */
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
  createdAt: IsoTimeSchema.nullable(),
  /** The snapshot it was taken on top of, if any. */
  parent: z.string().nullable(),
  /** libvirt's <state>: the domain's when it was taken, or `disk-snapshot` for a disk-only one. */
  state: z.string(),
  /** Per disk: the overlay file holding the writes made after this snapshot. */
  disks: z.array(
    z.object({ target: z.string(), snapshot: z.string(), file: z.string().nullable() }),
  ),
  /** Bytes of this snapshot's overlays on disk. */
  sizeBytes: ByteCountSchema.nullable(),
  /** A journal of Quiesce's on the host says it made this snapshot; the fields below are its. */
  madeByQuiesce: z.boolean(),
  label: SnapshotLabelSchema.optional(),
  /** The blocked-write window the host measured; null when not made by Quiesce or not frozen. */
  windowMs: DurationMsSchema.nullable(),
  /**
   * Where, by whom and by which operation it was made: that operation's own fields
   * (electron/services/history/history.ts copies them from its summary).
   */
  ...OperationSummarySchema.pick({ workstation: true, user: true, opId: true }).partial().shape,
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** A domain's history: its snapshots (libvirt's order: parents first), chains and operations. */
export const HistorySchema = z.object({
  snapshots: z.array(HistoryEntrySchema),
  chains: z.array(DiskChainSchema),
  /** Every Quiesce operation on this domain (failed ones too), newest first. */
  operations: z.array(OperationSummarySchema),
  /** What the host's libvirt can do with external snapshots. */
  abilities: z.object({
    /** Its version ("unknown" when it did not say). */
    libvirt: z.string(),
    /** libvirt ≥ 9.0 deletes external snapshots (merging the overlay). */
    deleteExternal: z.boolean(),
    /** libvirt ≥ 9.9 reverts to external snapshots. */
    revertExternal: z.boolean(),
  }),
});
export type History = z.infer<typeof HistorySchema>;
