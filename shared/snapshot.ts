import { z } from 'zod';
import { AppErrorSchema } from './errors';
import { OperationStateSchema, PhaseStatusSchema } from './operation-state';
import { PHASES } from './vocabulary';
import { DurationMsSchema, IsoTimeSchema } from './values';

/**
 * The quiesce policy is explicit (docs/ARCHITECTURE.md, "Explicit quiesce policy"). `require`
 * (the default) takes no snapshot when the agent cannot freeze; `allow-crash-consistent` freezes
 * when it can and otherwise takes the snapshot unfrozen, labelled with the reason.
 */
export const QuiescePolicySchema = z.enum(['require', 'allow-crash-consistent']);
export type QuiescePolicy = z.infer<typeof QuiescePolicySchema>;

/** Snapshot names go to libvirt and into overlay file names: a conservative set, said plainly. */
export const SnapshotNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'Use up to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** Stored verbatim (XML-escaped on the way to libvirt); control characters XML cannot hold are refused. */
export const SnapshotDescriptionSchema = z
  .string()
  .max(4096, 'Keep the description under 4096 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s), {
    message: 'The description contains control characters that cannot be stored',
  });

export const MaxFreezeSchema = z.number().int().min(1).max(120);

export const SnapshotRequestSchema = z.object({
  name: SnapshotNameSchema,
  description: SnapshotDescriptionSchema.default(''),
  policy: QuiescePolicySchema.default('require'),
  /** Seconds after which the host-side watchdog thaws the guest whatever happens. */
  maxFreezeS: MaxFreezeSchema.default(10),
  /**
   * A full checkpoint: the guest's memory saved with its disks (libvirt's external memory
   * snapshot), of a paused guest only; it resumes exactly where it was (docs/restore.md).
   */
  memory: z.boolean().optional(),
});

/** What an operation does: a consistent snapshot, or the agent doctor's test freeze (no cut). */
export const OperationKindSchema = z.enum(['snapshot', 'test-freeze']);
export type OperationKind = z.infer<typeof OperationKindSchema>;

/** The runner's phases, in the order it runs them. */
export { PHASES };
export const PhaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof PhaseSchema>;
/** Where an operation failed: one of its phases, or `runner` when the runner itself stopped. */
export const FailedPhaseSchema = z.enum([...PHASES, 'runner']);
export type FailedPhase = z.infer<typeof FailedPhaseSchema>;
export {
  OperationStateSchema,
  PhaseStatusSchema,
  type OperationState,
  type PhaseStatus,
} from './operation-state';

/** What a snapshot is labelled (older journals said `paused` for crash-consistent). */
const LABEL_KINDS = [
  'quiesced',
  'crash-consistent',
  'offline',
  'paused',
  'test-freeze',
  'checkpoint',
] as const;
export const LabelKindSchema = z.enum(LABEL_KINDS);
/** Overlay files made by the runner before the freeze, or left to libvirt to create. */
export const OverlaysSchema = z.enum(['precreated', 'libvirt']);
export type Overlays = z.infer<typeof OverlaysSchema>;
export const WatchdogWhatSchema = z.enum(['fired', 'thawed', 'waiting', 'released', 'gave-up']);
export type WatchdogWhat = z.infer<typeof WatchdogWhatSchema>;

/** One disk of a snapshot: the image frozen by the cut (`backing`), and the overlay on top. */
export const SnapshotDiskSchema = z.object({
  target: z.string(),
  backing: z.string(),
  overlay: z.string(),
});

/** One step of an operation, as the host runner journalled it (host clock, ms). */
export const OperationEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('started'),
    operation: OperationKindSchema,
    uuid: z.string(),
    snapshot: z.string(),
    policy: QuiescePolicySchema,
    maxFreezeS: z.number(),
    workstation: z.string(),
    user: z.string(),
    /** The runner's process id on the host, to tell a running operation from a dead runner. */
    pid: z.number().optional(),
    at: z.number(),
    rt: z.number().optional(),
  }),
  z.object({
    kind: z.literal('phase'),
    phase: PhaseSchema,
    status: PhaseStatusSchema,
    detail: z.string().optional(),
    at: z.number(),
  }),
  z.object({
    kind: z.literal('disks'),
    disks: z.array(SnapshotDiskSchema),
    overlays: OverlaysSchema,
    at: z.number(),
  }),
  z.object({ kind: z.literal('frozen'), filesystems: z.number(), at: z.number() }),
  z.object({ kind: z.literal('thawed'), windowMs: DurationMsSchema, at: z.number() }),
  z.object({
    kind: z.literal('watchdog'),
    what: WatchdogWhatSchema,
    detail: z.string().optional(),
    at: z.number(),
  }),
  /**
   * Overlay files: kept at the end (and why), or an earlier killed run's leftover removed; an
   * earlier run's cut that ended before libvirt recorded it, recorded now (or why not).
   */
  z.object({
    kind: z.literal('files'),
    what: z.enum(['kept', 'orphan-removed', 'metadata-recorded', 'metadata-failed']),
    detail: z.string(),
    at: z.number(),
  }),
  z.object({
    kind: z.literal('result'),
    ok: z.boolean(),
    label: LabelKindSchema.optional(),
    filesystems: z.number().optional(),
    reason: z.string().optional(),
    failedPhase: FailedPhaseSchema.optional(),
    message: z.string().optional(),
    snapshotTaken: z.boolean().optional(),
    at: z.number(),
  }),
  z.object({ kind: z.literal('end'), at: z.number() }),
]);
export type OperationEvent = z.infer<typeof OperationEventSchema>;

export const SnapshotLabelSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('quiesced'), filesystems: z.number() }),
  z.object({ kind: z.literal('crash-consistent'), reason: z.string() }),
  z.object({ kind: z.literal('offline') }),
  z.object({ kind: z.literal('paused') }),
  /** A full checkpoint of a paused guest: memory and disks saved together. */
  z.object({ kind: z.literal('checkpoint') }),
  /** The agent doctor's test freeze: frozen and thawed, nothing cut. */
  z.object({ kind: z.literal('test-freeze'), filesystems: z.number() }),
]);
export type SnapshotLabel = z.infer<typeof SnapshotLabelSchema>;

/** One run of a phase: `ms` is null while it runs (host clock). */
export const PhaseRunSchema = z.object({
  phase: PhaseSchema,
  status: PhaseStatusSchema,
  ms: z.number().nullable(),
  detail: z.string().optional(),
});
export type PhaseRun = z.infer<typeof PhaseRunSchema>;

/** An operation as far as its journal goes: running, or finished with its outcome. */
export const OperationSummarySchema = z.object({
  opId: z.string(),
  operation: OperationKindSchema,
  /** The domain, and the snapshot's name as the runner was given it. */
  uuid: z.string(),
  snapshot: z.string(),
  /** Undefined when the journal has no start line (the runner refused its arguments). */
  policy: QuiescePolicySchema.optional(),
  /** Where and by whom it was started ("" without a start line). */
  workstation: z.string(),
  user: z.string(),
  /** Wall-clock start on the host, ISO; undefined if unknown. */
  startedAt: IsoTimeSchema.optional(),
  state: OperationStateSchema,
  label: SnapshotLabelSchema.optional(),
  /** Whether libvirt made the snapshot, as the result line says (also after a failure). */
  snapshotTaken: z.boolean().optional(),
  /**
   * Freeze issued → thaw returned, host clock (docs/ARCHITECTURE.md, "Measured window"); null
   * when nothing was frozen.
   */
  windowMs: DurationMsSchema.nullable(),
  phases: z.array(PhaseRunSchema),
  /** The disks cut, and who made their overlays (as the runner's disks line says). */
  disks: z.array(SnapshotDiskSchema),
  overlays: OverlaysSchema.optional(),
  /** The watchdog's last line: what it did (released, fired…), with its detail in brackets. */
  watchdog: z.string().optional(),
  /** Why it failed or was lost, and what to do. */
  error: AppErrorSchema.optional(),
});
export type OperationSummary = z.infer<typeof OperationSummarySchema>;
