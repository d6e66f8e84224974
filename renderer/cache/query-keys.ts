/** Every query key in one place, so invalidations and cache writes cannot drift apart. */
export const queryKeys = {
  hosts: ['hosts'] as const,
  connections: ['connections'] as const,
  domains: (hostId: string) => ['domains', hostId] as const,
  allDomains: ['domains'] as const,
  /** One agent doctor report per domain, addressed by UUID like every domain call. */
  doctor: (hostId: string, uuid: string) => ['doctor', hostId, uuid] as const,
  doctors: (hostId: string) => ['doctor', hostId] as const,
  /** The policy and maximum freeze a domain's snapshot dialog starts from. */
  snapshotDefaults: (hostId: string, uuid: string) => ['snapshot-defaults', hostId, uuid] as const,
  /** Every domain's snapshot defaults: the settings give those with nothing remembered. */
  allSnapshotDefaults: ['snapshot-defaults'] as const,
  /** The host's journal of operations (operations.list), newest first. */
  operations: (hostId: string) => ['operations', hostId] as const,
  /** One operation as this window follows it: its events so far, and main's summary. */
  operation: (hostId: string, opId: string) => ['operation', hostId, opId] as const,
  /** One domain's snapshot history (history.list): snapshots, disk chains, abilities. */
  history: (hostId: string, uuid: string) => ['history', hostId, uuid] as const,
  /** Every history read of one host: an operation that ends there may have added to any. */
  histories: (hostId: string) => ['history', hostId] as const,
  /** How far one domain's chain merge has got, folded from main's merge-progress events. */
  mergeProgress: (hostId: string, uuid: string) => ['merge-progress', hostId, uuid] as const,
  /** Whether key passphrases can be remembered in the OS keychain here (secrets.status). */
  vault: ['vault'] as const,
  /** What a revert would do (revert.preview), per target. */
  revertPreview: (hostId: string, uuid: string, target: string) =>
    ['revert-preview', hostId, uuid, target] as const,
  /** One revert as its journal on the host tells it (revert.get). */
  revertRun: (hostId: string, opId: string) => ['revert-run', hostId, opId] as const,
  /** A domain's discarded branches and current snapshot (revert.branches). */
  revertBranches: (hostId: string, uuid: string) => ['revert-branches', hostId, uuid] as const,
  /** One restore test (restore.get). */
  restoreTest: (hostId: string, opId: string) => ['restore-test', hostId, opId] as const,
  /** A domain's restore tests kept on the host (restore.list). */
  restoreTests: (hostId: string, uuid: string) => ['restore-tests', hostId, uuid] as const,
  /** The host's schedules, their runs and unseen failures (schedule.list). */
  schedules: (hostId: string) => ['schedules', hostId] as const,
  /** What the host's prune would do now for a schedule's domain under some rules (schedule.previewPrune). */
  schedulePrune: (hostId: string, id: string, uuid: string, rules: string) =>
    ['schedule-prune', hostId, id, uuid, rules] as const,
  /** The app's settings (settings.get). */
  settings: ['settings'] as const,
  /** A domain's exports on one host (export.list). */
  exports: (hostId: string, uuid: string) => ['exports', hostId, uuid] as const,
  /** A destination's room before an export (export.space). */
  exportSpace: (hostId: string, uuid: string, dest: string) =>
    ['export-space', hostId, uuid, dest] as const,
  /** One export as its journal on the host tells it (export.get). */
  exportRun: (hostId: string, opId: string) => ['export-run', hostId, opId] as const,
  /** How far a restore of one export has got, disk by disk, from main's restore-progress events. */
  restoreProgress: (hostId: string, uuid: string, exportId: string) =>
    ['restore-progress', hostId, uuid, exportId] as const,
  /** A domain's restores from exports as the host's journals tell them (export.restores). */
  restoreRuns: (hostId: string, uuid: string) => ['restore-runs', hostId, uuid] as const,
  /** The restore ids this window's own restore calls are waiting on (their forms show them). */
  restoresFollowed: (hostId: string) => ['restores-followed', hostId] as const,
};
