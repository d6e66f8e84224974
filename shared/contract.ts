import { z } from 'zod';
import {
  ConnectResultSchema,
  ConnectionStateSchema,
  HostDraftSchema,
  HostIdSchema,
  HostKeyTrustSchema,
  HostProfileSchema,
  SshConfigHostsSchema,
  VaultStatusSchema,
} from './hosts';
import { DomainUuidSchema } from './domains';
import { HistorySchema } from './history';
import {
  MaxFreezeSchema,
  OperationEventSchema,
  OperationSummarySchema,
  QuiescePolicySchema,
  SnapshotRequestSchema,
} from './snapshot';
import { DoctorReportSchema, InventoryDomainSchema, PrerequisiteSchema } from './readiness';
import { SettingsInputSchema, SettingsSchema } from './settings';
import type { AppErrorShape } from './errors';
import {
  BranchSchema,
  RevertOptionsSchema,
  RevertPreviewSchema,
  RevertSummarySchema,
  RevertTargetSchema,
} from './revert';
import { RestoreTestListSchema, RestoreTestResultSchema } from './restore-test';
import type { MethodName } from './methods';
import {
  ExportCopyTargetSchema,
  ExportRestoreRequestSchema,
  ExportRestoreOriginalRequestSchema,
  ExportRestoreOriginalResultSchema,
  ExportRestoreResultSchema,
  ExportEntrySchema,
  ExportIdSchema,
  ExportRefSchema,
  ExportRequestSchema,
  ExportSpaceSchema,
  ExportSummarySchema,
  ExportVerificationSchema,
  HostFolderSchema,
  RestoreIdSchema,
} from './export';
import { RetentionSchema, ScheduleIdSchema, ScheduleSchema } from './schedule/policy';
import { PrunePlanSchema, PruneCandidateSchema } from './schedule/prune-plan';
import { ScheduleListingSchema } from './schedule/results';
import { OperationIdSchema, OperationStartedSchema, SnapshotRefSchema } from './refs';
import { RestoreRunSchema } from './export-restore-run';
import { EpochSecondsSchema } from './values';

const hostRef = z.object({ hostId: HostIdSchema });
/** An operation on a host, by its id (its journal there). */
const operationRef = hostRef.extend({ opId: OperationIdSchema });
/** Domains are addressed by UUID, never by name (docs/ARCHITECTURE.md, "Quoted arguments"). */
const domainRef = hostRef.extend({ uuid: DomainUuidSchema });

const SettingsAnswerSchema = z.object({
  settings: SettingsSchema,
  /** The settings file itself. */
  file: z.string(),
  inEffect: z.object({ dataDir: z.string(), knownHostsPath: z.string() }),
  /** Values of the file that were unreadable and fell back to their defaults. */
  dropped: z.array(z.string()),
  /** Set when a newer Quiesce wrote the file: it is shown but not written over. */
  readOnly: z.string().optional(),
});

/**
 * One schema pair per method. Inputs are validated in main before any handler runs; outputs are
 * validated before they leave main, so the renderer can trust the types.
 */
export const contract = {
  'hosts.list': { input: z.object({}), output: z.array(HostProfileSchema) },
  'hosts.save': {
    input: HostDraftSchema.extend({ id: HostIdSchema.optional() }),
    output: HostProfileSchema,
  },
  'hosts.remove': { input: hostRef, output: z.object({}) },
  'hosts.connect': {
    input: hostRef.extend({
      /** Asked for by the UI when the key file is encrypted; kept in memory only. */
      passphrase: z.string().max(1024).optional(),
      trust: HostKeyTrustSchema.optional(),
      /** Seal the passphrase that worked in the OS keychain, for the next connects. */
      rememberPassphrase: z.boolean().optional(),
    }),
    output: ConnectResultSchema,
  },
  /** Whether key passphrases can be remembered here (and why not), and whose are. */
  'secrets.status': { input: z.object({}), output: VaultStatusSchema },
  'secrets.forget': {
    input: z.object({ keyPath: z.string().min(1).max(4096) }),
    output: z.object({ forgotten: z.boolean() }),
  },
  'hosts.disconnect': { input: hostRef, output: z.object({}) },
  'hosts.status': {
    input: z.object({}),
    output: z.array(z.object({ hostId: HostIdSchema, state: ConnectionStateSchema })),
  },
  /** The concrete Host aliases of the admin's ~/.ssh/config, resolved, for "Add host". */
  'hosts.sshConfig': { input: z.object({}), output: SshConfigHostsSchema },
  /** The host's inventory: every domain with its readiness, and the host's prerequisites. */
  'domains.list': {
    input: hostRef,
    output: z.object({
      domains: z.array(InventoryDomainSchema),
      prerequisites: z.array(PrerequisiteSchema),
      fetchedAt: z.string(),
      roundTrips: z.number().int(),
      ms: z.number(),
    }),
  },
  'domains.thaw': { input: domainRef, output: z.object({ thawed: z.number().int() }) },
  'doctor.run': { input: domainRef, output: DoctorReportSchema },
  'doctor.addChannel': { input: domainRef, output: z.object({ restartNeeded: z.boolean() }) },
  /**
   * Freezes and thaws at once through the same guarded runner and watchdog as a snapshot, and
   * reports the window; nothing is cut. Progress arrives as `operation` events.
   */
  'doctor.testFreeze': {
    /** Without maxFreezeS: the default maximum freeze of the settings (shared/settings.ts). */
    input: domainRef.extend({ maxFreezeS: MaxFreezeSchema.optional() }),
    output: OperationStartedSchema,
  },
  /** Starts a consistent snapshot on the host; progress arrives as `operation` events. */
  'snapshot.start': {
    input: domainRef.extend(SnapshotRequestSchema.shape).extend({
      /** Remember the policy and maximum freeze (and testRestore, when given) for this domain. */
      remember: z.boolean().default(false),
      /**
       * Test restore this snapshot once it is taken (docs/restore.md, "Restore tests after each
       * snapshot"); omitted: as the domain's remembered choice says.
       */
      testRestore: z.boolean().optional(),
    }),
    output: OperationStartedSchema,
  },
  /** An operation's events so far and its summary (after a reload or a reconnect). */
  'snapshot.get': {
    input: operationRef,
    output: z.object({ events: z.array(OperationEventSchema), summary: OperationSummarySchema }),
  },
  /** The policy and maximum freeze remembered for a domain (or the defaults). */
  'snapshot.defaults': {
    input: domainRef,
    output: z.object({
      policy: QuiescePolicySchema,
      maxFreezeS: MaxFreezeSchema,
      remembered: z.boolean(),
      /** Test restore after each snapshot taken through the app (off unless asked). */
      testRestore: z.boolean(),
    }),
  },
  'snapshot.setDefaults': {
    input: domainRef.extend({
      policy: QuiescePolicySchema,
      maxFreezeS: MaxFreezeSchema,
      /** Omitted: the domain's test-restore choice stays as it is. */
      testRestore: z.boolean().optional(),
    }),
    output: z.object({}),
  },
  /** A domain's snapshots (libvirt's and Quiesce's records merged), disk chains, abilities. */
  'history.list': { input: domainRef, output: HistorySchema },
  /** Deletes an external snapshot (libvirt ≥ 9.0 merges its overlay). */
  'history.delete': { input: domainRef.extend({ name: SnapshotRefSchema }), output: z.object({}) },
  /** Reverts to a snapshot where libvirt can (≥ 9.9); else an error with the manual procedure. */
  'history.revert': { input: domainRef.extend({ name: SnapshotRefSchema }), output: z.object({}) },
  /** Folds every disk's chain into its base image; progress arrives as `merge-progress` events. */
  'history.merge': { input: domainRef, output: z.object({ forgotten: z.array(z.string()) }) },
  /** The host's recent operations, newest first, from the journals on the host. */
  'operations.list': {
    input: hostRef,
    output: z.object({ operations: z.array(OperationSummarySchema) }),
  },
  /** What a revert would do (the confirmation's text), without doing anything. */
  'revert.preview': {
    input: domainRef.extend({ target: RevertTargetSchema }).extend(RevertOptionsSchema.shape),
    output: RevertPreviewSchema,
  },
  /**
   * Quiesce's own revert on any libvirt: stop, new overlays on the frozen images, the definition
   * switched, start; the state left becomes a discarded branch. Progress: `revert.get`.
   */
  'revert.start': {
    input: domainRef.extend({ target: RevertTargetSchema }).extend(RevertOptionsSchema.shape),
    output: OperationStartedSchema,
  },
  /** A revert's phases and outcome, from its journal on the host. */
  'revert.get': {
    input: operationRef,
    output: RevertSummarySchema,
  },
  /** Finishes or rolls back the domain's reverts that died half-way. Progress: `revert.get`. */
  'revert.recover': { input: domainRef, output: OperationStartedSchema },
  /** The domain's discarded branches, newest first, with their size. */
  'revert.branches': {
    input: domainRef,
    output: z.object({
      branches: z.array(BranchSchema),
      /** The snapshot the guest descends from now (libvirt's current one), if any. */
      current: z.string().nullable(),
    }),
  },
  /** Deletes a discarded branch's files (each only if nothing uses it). */
  'revert.deleteBranch': {
    input: domainRef.extend({ id: OperationIdSchema }),
    output: z.object({ removed: z.array(z.string()), kept: z.array(z.string()) }),
  },
  /**
   * The app's settings (shared/settings.ts), the folders in use now (a changed folder applies at
   * the next start), and what could not be kept from the file.
   */
  'settings.get': { input: z.object({}), output: SettingsAnswerSchema },
  /** Replaces the settings; answers as settings.get does. */
  'settings.set': { input: SettingsInputSchema, output: SettingsAnswerSchema },
  /** Boots a disposable linked clone of a snapshot and reads its filesystems; `restore.get`. */
  'restore.start': {
    input: domainRef.extend({ name: SnapshotRefSchema }),
    output: OperationStartedSchema,
  },
  'restore.get': {
    input: operationRef,
    output: RestoreTestResultSchema,
  },
  /** The domain's restore tests, as the host keeps them beside their journals; newest first. */
  'restore.list': { input: domainRef, output: RestoreTestListSchema },
  /** The host's schedules (next run, last runs), how it can schedule, failures not seen yet. */
  'schedule.list': { input: hostRef, output: ScheduleListingSchema },
  /** Installs or replaces a schedule on the host: a systemd user timer, else a crontab line. */
  'schedule.save': {
    input: hostRef.extend({
      schedule: ScheduleSchema,
      mode: z.enum(['auto', 'cron', 'systemd']).default('auto'),
    }),
    output: z.object({ mode: z.enum(['cron', 'systemd']), notes: z.array(z.string()) }),
  },
  /** Removes a schedule and every trace of it (its snapshots stay). */
  'schedule.remove': {
    input: hostRef.extend({ id: ScheduleIdSchema }),
    output: z.object({ removed: z.array(z.string()) }),
  },
  /** What the host's prune would keep and delete now, for these rules. */
  'schedule.previewPrune': {
    input: hostRef.extend({
      id: ScheduleIdSchema,
      uuid: DomainUuidSchema,
      retention: RetentionSchema,
    }),
    output: PrunePlanSchema.extend({ candidates: z.array(PruneCandidateSchema) }),
  },
  /** Starts the installed job now on the host (detached): a run, or only its prune. */
  'schedule.runNow': {
    input: hostRef.extend({ id: ScheduleIdSchema, mode: z.enum(['run', 'prune']).default('run') }),
    output: z.object({}),
  },
  /** Failures that ended up to this time (epoch s, host clock) are seen. */
  'schedule.markSeen': {
    input: hostRef.extend({ upTo: EpochSecondsSchema }),
    output: z.object({}),
  },
  /** The host's hook for failures ("" removes it). */
  'schedule.setHook': {
    input: hostRef.extend({ command: z.string().max(4096) }),
    output: z.object({}),
  },
  /** The destination's free space and what a full export takes, before starting (docs/export.md). */
  'export.space': {
    input: domainRef.extend({ dest: HostFolderSchema }),
    output: ExportSpaceSchema,
  },
  /** A consistent image export to a host folder (freeze only around the cut); `export.get`. */
  'export.start': {
    input: domainRef
      .extend(ExportRequestSchema.shape)
      .extend({ maxFreezeS: MaxFreezeSchema.optional() }),
    output: OperationStartedSchema,
  },
  /** An export's phases, progress (bytes, rate, ETA) and outcome, from its journal on the host. */
  'export.get': {
    input: hostRef.extend({ opId: ExportIdSchema }),
    output: ExportSummarySchema,
  },
  /** Stops a running export: libvirt's job is aborted and every file it made removed. */
  'export.cancel': { input: hostRef.extend({ opId: ExportIdSchema }), output: z.object({}) },
  /** The exports this host made (of one domain, or all), newest first, for the history. */
  'export.list': {
    input: hostRef.extend({ uuid: DomainUuidSchema.optional() }),
    output: z.object({ exports: z.array(ExportEntrySchema) }),
  },
  /** Checksums, `qemu-img check` and the chain of one export. */
  'export.verify': {
    input: domainRef.extend(ExportRefSchema.shape),
    output: ExportVerificationSchema,
  },
  /**
   * Copies a complete export (and the exports below it the target lacks) off the host over its
   * SSH connection (SFTP) to the workstation or a second host; checksums checked, manifest last.
   */
  'export.copy': {
    input: domainRef.extend(ExportRefSchema.shape).extend({ to: ExportCopyTargetSchema }),
    output: z.object({ copied: z.array(z.string()), bytes: z.number(), to: z.string() }),
  },
  /**
   * Restores a complete export as a new domain (new name and UUID, each disk's chain copied into
   * one image in a host folder, no network interface, started only when asked).
   */
  'export.restore': {
    input: domainRef.extend(ExportRestoreRequestSchema.shape),
    output: ExportRestoreResultSchema,
  },
  /**
   * Restores a complete export over the domain it was taken of, after confirmation: without
   * `apply` what it would do (the confirmation), with it the restore (docs/export.md).
   */
  'export.restoreOriginal': {
    input: domainRef.extend(ExportRestoreOriginalRequestSchema.shape),
    output: ExportRestoreOriginalResultSchema,
  },
  /**
   * Cancels a restore from an export (either kind) while it copies its disks: it stops and
   * removes what it made, and its own call answers `cancelled: true`. Once copied it completes:
   * refused (invalid-input) then, as when no such restore runs (not-found).
   */
  'export.restoreCancel': {
    input: hostRef.extend({ restoreId: RestoreIdSchema }),
    output: z.object({}),
  },
  /**
   * One restore from an export as its journal on the host tells it (a detached operation,
   * docs/export.md): phases, each disk's progress, whether it can still be cancelled, outcome.
   */
  'export.restoreGet': {
    input: hostRef.extend({ opId: OperationIdSchema }),
    output: RestoreRunSchema,
  },
  /** The host's recent restores from exports (of one domain's, or all), newest first. */
  'export.restores': {
    input: hostRef.extend({ uuid: DomainUuidSchema.optional() }),
    output: z.object({ restores: z.array(RestoreRunSchema) }),
  },
  /**
   * Retention: keep the newest `keep` full chains (or delete one export and those built on it);
   * without `apply` it only says what would go.
   */
  'export.prune': {
    input: domainRef.extend({
      dest: HostFolderSchema,
      keep: z.number().int().min(1).max(1000).default(2),
      exportId: ExportIdSchema.optional(),
      apply: z.boolean().default(false),
    }),
    output: z.object({
      planned: z.array(z.string()),
      deleted: z.array(z.string()),
      kept: z.array(z.string()),
    }),
  },
} satisfies Record<MethodName, { input: z.ZodType; output: z.ZodType }>;

// Compile-time check that METHOD_NAMES lists exactly the contract's methods.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameMethods: Exact<keyof typeof contract, MethodName> = true;
void _sameMethods;

export type Contract = typeof contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
/** A method's input after validation: defaults applied. What handlers receive. */
export type MethodParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

/**
 * What either shell answers for one call (main's dispatch, the preload, the WebSocket): the
 * method's output, or an error meant for people.
 */
export type CallResult = { ok: true; value: unknown } | { ok: false; error: AppErrorShape };

export { AppErrorSchema } from './errors';
export type { MethodName } from './methods';
