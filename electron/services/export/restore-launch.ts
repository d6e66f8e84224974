import hostLib from '../host-scripts/host-lib.sh?raw';
import restoreRunner from '../host-scripts/restore-runner.sh?raw';
import { shellCommand } from '../shell/quote';
import { launchScriptOf } from '../snapshot/launch';
import { base64Arg, detachedRunner, type OperationArgs } from '../snapshot/operation-args';
import type { RestoreKind } from '../../../shared/export-restore-run';

/**
 * How a restore from an export reaches the host as a detached operation (docs/export.md, "A
 * restore as a host operation"): the other runners' launch (host-scripts/launch.sh, files as
 * quoted here-documents, the runner detached with setsid) pointed at HOSTDIR/restores, so restores
 * get operation folders of their own (HOSTDIR/restores/ops/OP) beside the cancel folders their
 * scripts make (HOSTDIR/restores/ID).
 */
export interface RestoreRunArgs extends OperationArgs {
  kind: RestoreKind;
  exportId: string;
  /** The cancel's name: RESTORE_CANCEL=HOSTDIR/restores/ID (export-restore-cancel.sh). */
  restoreId: string;
  /** A new domain's name (sent base64; empty over the original). */
  name: string;
  /** A new domain is started once defined. */
  start: boolean;
  /** Test-only: the copy's bytes/s (`qemu-img convert -r`), to act on a copy in the lab. */
  copyRate?: number;
}

const restoreOps = detachedRunner<RestoreRunArgs>('restores', 'the restore runner', (a) => [
  ['kind', a.kind],
  ['exportId', a.exportId],
  ['restoreId', a.restoreId],
  ['name', base64Arg(a.name)],
  ['start', a.start ? '1' : '0'],
  ['copyRate', String(a.copyRate ?? 0)],
]);
/** The folder restore operations live in, under the host folder. */
export const restoreDir = restoreOps.dir;
/** The `args` file: `name=value` lines, read by name (read_args in host-lib.sh). */
export const restoreArgsText = restoreOps.argsText;

/**
 * The launch script of one restore: restore-runner.sh, the restore SCRIPT as the app sends it
 * (export-scripts.ts: host-lib.sh and restore-lib.sh in front) and its ARGV as one `set -- …`
 * line, every argument through the one quoting function (a path may hold any byte).
 */
export function restoreLaunchScript(
  args: RestoreRunArgs,
  script: string,
  argv: readonly string[],
): string {
  return launchScriptOf([
    ['host-lib.sh', hostLib],
    ['runner.sh', restoreRunner],
    ['restore.sh', script],
    ['argv', shellCommand(['set', '--', ...argv])],
    ['args', restoreArgsText(args)],
  ]);
}
