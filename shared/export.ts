import { z } from 'zod';
import { DomainUuidSchema } from './domains';
import { GuestStopPreviewSchema, guestStopOptionsSchema } from './guest-stop';
import { journalSummaryFields } from './operation-state';
import { OPERATION_ID } from './refs';
import { QuiescePolicySchema } from './snapshot';
import { ByteCountSchema, DurationMsSchema, IsoTimeSchema } from './values';
import { PHASES } from './vocabulary';

/**
 * Consistent image export (docs/export.md): what the renderer asks for, how an export goes, what
 * the manifest beside the images says, and what a verification found. The host side is
 * electron/services/host-scripts/export-runner.sh.
 */

/** An export's id: the id of the operation that made it (also its folder's name). */
export const ExportIdSchema = z.string().regex(OPERATION_ID, 'Not an export id');

/** A folder on the host: absolute, one line. */
export const HostFolderSchema = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^\/[^\n\r\0]*$/, 'An absolute folder on the host');

export const ExportModeSchema = z.enum(['full', 'incremental']);
export type ExportMode = z.infer<typeof ExportModeSchema>;

/** A complete export, by where it is: the destination it was made in (DEST/UUID/EXPORTID/), its id. */
export const ExportRefSchema = z.object({ dest: HostFolderSchema, exportId: ExportIdSchema });

export const ExportRequestSchema = z.object({
  /** Where the images go on the host: DEST/UUID/EXPORTID/. */
  dest: HostFolderSchema,
  /** Incremental falls back to full, with the reason, when it cannot be done. */
  mode: ExportModeSchema.default('incremental'),
  policy: QuiescePolicySchema.default('require'),
  /**
   * Export this existing Quiesce snapshot instead of the domain now: its frozen images are
   * copied, with no freeze at all (always a full export).
   */
  snapshot: z
    .string()
    .max(200)
    .regex(/^[0-9A-Za-z_][0-9A-Za-z._-]*$/, 'A snapshot name')
    .optional(),
});
export type ExportRequest = z.infer<typeof ExportRequestSchema>;

/**
 * An export's phases in order: the snapshot's up to the disarm (host-lib.sh's freeze_cut_thaw
 * journals them for both runners), then the copy, its check, the manifest.
 */
type FreezePhase = Exclude<(typeof PHASES)[number], 'metadata' | 'verify'>;
export const ExportPhaseSchema = z.enum([
  ...PHASES.filter((p): p is FreezePhase => p !== 'metadata' && p !== 'verify'),
  'copy',
  'verify',
  'manifest',
]);
export type ExportPhase = z.infer<typeof ExportPhaseSchema>;

export const ExportProgressSchema = z.object({
  /** Bytes libvirt's job has processed, of `total`. */
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  /** Bytes per second since the last reading. */
  rate: z.number().nonnegative(),
  /** Seconds left at that rate; null when unknown. */
  etaS: z.number().nonnegative().nullable(),
  /** Bytes written so far into each disk's image. */
  disks: z.array(z.object({ target: z.string(), bytes: z.number().nonnegative() })),
});
export type ExportProgress = z.infer<typeof ExportProgressSchema>;

/**
 * How far a restore from an export (export.restore, export.restoreOriginal) has got on one disk:
 * an export's progress fields, for that disk's copy into its standalone image (the restore
 * scripts' "progress" lines, restore-lib.sh). `total` is `qemu-img measure`'s size of the image,
 * `done` that times qemu-img's percentage; the rate is since the disk's copy began.
 */
export const RestoreDiskProgressSchema = ExportProgressSchema.pick({
  done: true,
  total: true,
  rate: true,
  etaS: true,
}).extend({ target: z.string() });
export type RestoreDiskProgress = z.infer<typeof RestoreDiskProgressSchema>;

export const ExportConsistencySchema = z.discriminatedUnion('label', [
  z.object({ label: z.literal('quiesced'), filesystems: z.number().int() }),
  z.object({ label: z.literal('crash-consistent'), reason: z.string() }),
]);

/** One export as its journal tells it (its id, state, phases, message and failed phase as every runner's). */
export const ExportSummarySchema = z.object({
  ...journalSummaryFields(ExportPhaseSchema),
  uuid: z.string(),
  dest: z.string(),
  /** What was asked, and what is done (an incremental may fall back to full). */
  modeAsked: ExportModeSchema.nullable(),
  mode: ExportModeSchema.nullable(),
  /** Why a full export was made when an incremental was asked for. */
  fullReason: z.string().nullable(),
  parent: z.string().nullable(),
  checkpoint: z.string().nullable(),
  needBytes: ByteCountSchema.nullable(),
  freeBytes: ByteCountSchema.nullable(),
  progress: ExportProgressSchema.nullable(),
  /** The blocked-write window as the host measured it (freeze issued → thaw returned). */
  windowMs: DurationMsSchema.nullable(),
  consistency: ExportConsistencySchema.nullable(),
  cancelled: z.boolean(),
  /** The export's folder on the host once complete. */
  folder: z.string().nullable(),
  watchdog: z.string().nullable(),
});
export type ExportSummary = z.infer<typeof ExportSummarySchema>;

/** manifest.json, as the runner writes it (the last file of a complete export). */
export const ExportManifestSchema = z.object({
  format: z.literal('quiesce-export/1'),
  exportId: ExportIdSchema,
  domain: z.object({ uuid: DomainUuidSchema, name: z.string(), xml: z.string() }),
  mode: ExportModeSchema,
  fullReason: z.string().nullable(),
  parent: z.string().nullable(),
  incrementalFrom: z.string().nullable(),
  checkpoint: z.string(),
  /** The Quiesce snapshot exported (its frozen images), or null for the domain as it ran. */
  snapshot: z.string().nullable().optional(),
  consistency: z.intersection(
    ExportConsistencySchema,
    z.object({
      windowMs: z.number().optional(),
      windowStartRt: z.number().optional(),
      windowEndRt: z.number().optional(),
    }),
  ),
  disks: z.array(
    z.object({
      target: z.string(),
      file: z.string(),
      format: z.string(),
      virtualSize: z.number(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      backing: z.string().nullable(),
      source: z.string(),
    }),
  ),
  bytesCopied: ByteCountSchema,
  createdBy: z.object({
    workstation: z.string(),
    user: z.string(),
    hostUser: z.string(),
    host: z.string(),
  }),
  createdAt: IsoTimeSchema,
});
export type ExportManifest = z.infer<typeof ExportManifestSchema>;

/** What a verification found, disk by disk, and for the chain below the export. */
export const ExportVerificationSchema = z.object({
  ok: z.boolean(),
  at: IsoTimeSchema,
  disks: z.array(
    z.object({
      target: z.string(),
      sha256: z.enum(['ok', 'mismatch', 'missing']),
      check: z.enum(['ok', 'failed', 'skipped']),
      chain: z.enum(['ok', 'broken', 'skipped']),
      detail: z.string().optional(),
    }),
  ),
  /** Exports the chain needs, from the parent down to the full one, and whether each is there. */
  chain: z.array(z.object({ exportId: z.string(), present: z.boolean() })),
  problems: z.array(z.string()),
});
export type ExportVerification = z.infer<typeof ExportVerificationSchema>;

/** One export in the history: where it is, what it is, whether it still checks out. */
export const ExportEntrySchema = z.object({
  exportId: ExportIdSchema,
  uuid: DomainUuidSchema,
  dest: z.string(),
  folder: z.string(),
  mode: ExportModeSchema,
  ok: z.boolean(),
  /** The manifest is there (a complete export still in place). */
  present: z.boolean(),
  parent: z.string().nullable(),
  bytes: ByteCountSchema.nullable(),
  label: z.string().nullable(),
  finishedAt: IsoTimeSchema.nullable(),
  verification: z.enum(['never', 'ok', 'failed']),
  verifiedAt: IsoTimeSchema.nullable(),
});
export type ExportEntry = z.infer<typeof ExportEntrySchema>;

/** The destination's room, before an export is started. */
export const ExportSpaceSchema = z.object({
  /** `df`'s Avail: negative on a filesystem filled past its reserve, so not a byte count. */
  freeBytes: z.number(),
  /** At most this much for a full export: the disks' virtual sizes, summed by export-space.sh. */
  fullBytes: ByteCountSchema,
  writable: z.boolean(),
  problem: z.string().nullable(),
});
export type ExportSpace = z.infer<typeof ExportSpaceSchema>;

/** Where a copy of an export goes: the admin's workstation, or a second SSH host (a Quiesce host). */
export const ExportCopyTargetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('workstation'),
    folder: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[^\n\r\0]+$/, 'A folder on this computer'),
  }),
  z.object({ kind: z.literal('host'), hostId: z.string().min(1), folder: HostFolderSchema }),
]);
export type ExportCopyTarget = z.infer<typeof ExportCopyTargetSchema>;

/** A restored domain's name: also the start of its images' file names. */
export const RestoreNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Letters, digits, “.”, “_” and “-”, at most 64');

/**
 * Names a restore while it runs, for `export.restoreCancel`: chosen by the caller (the Restore…
 * form makes a new one for each restore); the host keeps it as HOSTDIR/restores/ID while the
 * restore copies.
 */
export const RestoreIdSchema = z
  .string()
  .regex(/^[0-9A-Za-z-]{1,40}$/)
  // restore-runner.sh refuses it too: HOSTDIR/restores/ops holds the restores' journals
  .refine((id) => id !== 'ops', 'Not a restore id: "ops" is the restores’ journal folder');

/**
 * Restore an export as a new domain: a new name and UUID, each disk's chain copied into one
 * standalone image in `folder` on the host, no network interface (the admin adds one), started
 * only when asked.
 */
export const ExportRestoreRequestSchema = ExportRefSchema.extend({
  name: RestoreNameSchema,
  folder: HostFolderSchema,
  start: z.boolean().default(false),
  /** Makes the restore cancellable while it copies (export.restoreCancel). */
  restoreId: RestoreIdSchema.optional(),
});
export type ExportRestoreRequest = z.infer<typeof ExportRestoreRequestSchema>;

export const ExportRestoreResultSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  disks: z.array(z.object({ target: z.string(), image: z.string() })),
  started: z.boolean(),
  /** Cancelled during the copy: nothing was made (no image, no domain; uuid empty). */
  cancelled: z.boolean().optional(),
});
export type ExportRestoreResult = z.infer<typeof ExportRestoreResultSchema>;

/**
 * Restore an export over the domain it was taken of (docs/export.md, "Restore over the
 * original"): each disk's chain copied into one standalone image in `folder`, the guest stopped
 * (agent, then ACPI; powered off after `stopTimeoutS` when `allowForce`), its persistent
 * definition repointed at the new images (name, UUID, devices kept), started again if it ran.
 * Its current images stay where they are. Without `apply` it only says what it would do;
 * `stamp` (from that preview) names the new images, so the apply makes what was confirmed.
 */
export const ExportRestoreOriginalRequestSchema = ExportRefSchema.extend({
  folder: HostFolderSchema,
  /** Forced off after the timeout unless the admin says not to. */
  ...guestStopOptionsSchema(true).shape,
  apply: z.boolean().default(false),
  stamp: z
    .string()
    .regex(/^[0-9A-Za-z-]{1,40}$/)
    .optional(),
  /** Makes the apply cancellable while it copies (export.restoreCancel). */
  restoreId: RestoreIdSchema.optional(),
});
export type ExportRestoreOriginalRequest = z.infer<typeof ExportRestoreOriginalRequestSchema>;

/** One disk of a restore over the original: the export's chain, the image now, the new one. */
export const ExportRestoreOriginalDiskSchema = z.object({
  target: z.string(),
  /** The export's image of this disk, then the images below it (the chain, top first). */
  chain: z.array(z.string()),
  /** The domain's image now: kept where it is, no longer used by the domain afterwards. */
  current: z.string(),
  /** The new standalone image the domain uses afterwards. */
  image: z.string(),
});

export const ExportRestoreOriginalPreviewSchema = GuestStopPreviewSchema.extend({
  name: z.string(),
  stamp: z.string(),
  disks: z.array(ExportRestoreOriginalDiskSchema),
  needBytes: ByteCountSchema,
  freeBytes: z.number(),
  /** The confirmation's sentences. */
  text: z.object({ stops: z.string(), replaced: z.string(), kept: z.string() }),
});
export type ExportRestoreOriginalPreview = z.infer<typeof ExportRestoreOriginalPreviewSchema>;

export const ExportRestoreOriginalResultSchema = z.object({
  preview: ExportRestoreOriginalPreviewSchema,
  /** Present once applied: how the guest was stopped (if it ran), and whether it runs again. */
  applied: z
    .object({
      stopped: z.string().nullable(),
      started: z.boolean(),
      disks: z.array(z.object({ target: z.string(), image: z.string(), kept: z.string() })),
    })
    .nullable(),
  /** Cancelled during the copy: `applied` null, the domain as it was, no image left. */
  cancelled: z.boolean().optional(),
});
export type ExportRestoreOriginalResult = z.infer<typeof ExportRestoreOriginalResultSchema>;
