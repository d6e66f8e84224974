import exportRunner from '../host-scripts/export-runner.sh?raw';
import { freezingRunnerLaunch } from '../snapshot/launch';
import { base64Arg, detachedRunner, type OperationArgs } from '../snapshot/operation-args';

/**
 * How an export reaches the host: the snapshot runner's launch (host-scripts/launch.sh, files as
 * quoted here-documents, the runner detached with setsid) pointed at HOSTDIR/exports, so export
 * operations get folders of their own (HOSTDIR/exports/ops/OP) while holding the same per-domain
 * lock (HOSTDIR/locks) and the same watchdog.
 */
export interface ExportArgs extends OperationArgs {
  /** The destination folder on the host (sent base64: any path). */
  dest: string;
  /** Incremental falls back to full on the host when it cannot be done, with the reason. */
  mode: 'full' | 'incremental';
  policy: 'require' | 'allow-crash-consistent';
  maxFreezeS: number;
  /** Fault injection for tests: hold the guest frozen this long before the cut. Never from the UI. */
  holdFrozenMs?: number;
  /** How often the runner reads the copy's progress (ms). */
  pollMs?: number;
  /** An existing snapshot to export (its frozen images, no freeze) instead of the domain now. */
  snapshot?: string;
}

const exportOps = detachedRunner<ExportArgs>('exports', 'the export runner', (a) => [
  ['dest', base64Arg(a.dest)],
  ['mode', a.mode],
  ['policy', a.policy],
  ['maxFreezeS', String(a.maxFreezeS)],
  ['holdFrozenMs', String(a.holdFrozenMs ?? 0)],
  ['pollMs', String(a.pollMs ?? 500)],
  ['snapshot', a.snapshot ?? ''],
]);
/** The folder export operations live in, under the host folder. */
export const exportDir = exportOps.dir;
/** The `args` file: `name=value` lines, read by name (read_args in host-lib.sh). */
export const exportArgsText = exportOps.argsText;

/** The launch script of one export, fed to `exportLaunchCommand`: a freezing runner's launch. */
export function exportLaunchScript(args: ExportArgs): string {
  return freezingRunnerLaunch(exportRunner, exportArgsText(args));
}

export const exportLaunchCommand = exportOps.launchCommand;
