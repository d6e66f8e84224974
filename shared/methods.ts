/**
 * The names of the contract's methods, with no schema attached, so the sandboxed preload can
 * expose exactly one function per method without bundling the validation library.
 * contract.ts checks at compile time that this list and the schemas agree.
 */
export const METHOD_NAMES = [
  'hosts.list',
  'hosts.save',
  'hosts.remove',
  'hosts.connect',
  'hosts.disconnect',
  'hosts.status',
  'hosts.sshConfig',
  'secrets.status',
  'secrets.forget',
  'domains.list',
  'domains.thaw',
  'doctor.run',
  'doctor.addChannel',
  'doctor.testFreeze',
  'snapshot.start',
  'snapshot.get',
  'snapshot.defaults',
  'snapshot.setDefaults',
  'operations.list',
  'history.list',
  'history.delete',
  'history.revert',
  'history.merge',
  'revert.preview',
  'revert.start',
  'revert.get',
  'revert.recover',
  'revert.branches',
  'revert.deleteBranch',
  'settings.get',
  'settings.set',
  'restore.start',
  'restore.get',
  'export.space',
  'export.start',
  'export.get',
  'export.cancel',
  'export.list',
  'export.verify',
  'export.prune',
  'export.copy',
  'export.restore',
  'export.restoreOriginal',
  'export.restoreCancel',
  'export.restoreGet',
  'export.restores',
  'restore.list',
  'schedule.list',
  'schedule.save',
  'schedule.remove',
  'schedule.previewPrune',
  'schedule.runNow',
  'schedule.markSeen',
  'schedule.setHook',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** `hosts.list` → `hostsList`: the name under which the preload exposes a method. */
export function bridgeFunctionName(method: MethodName): string {
  return method.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** IPC channel of a method; one per method, so main can register exactly these. */
export function ipcChannel(method: MethodName): string {
  return `quiesce:${method}`;
}

export const EVENT_CHANNEL = 'quiesce:event';
