import hostLib from '../host-scripts/host-lib.sh?raw';
import revertRunner from '../host-scripts/revert-runner.sh?raw';
import { launchScriptOf } from '../snapshot/launch';
import { base64Arg, detachedRunner, type OperationArgs } from '../snapshot/operation-args';

/**
 * How a revert reaches the host: the snapshot runner's launch (host-scripts/launch.sh, files as
 * quoted here-documents, the runner detached with setsid) pointed at HOSTDIR/reverts, so revert
 * operations get folders of their own (HOSTDIR/reverts/ops/OP) that the snapshot runner never
 * reads, while holding the same per-domain lock (HOSTDIR/locks).
 */
export interface RevertArgs extends OperationArgs {
  mode: 'revert' | 'recover';
  targetKind: 'snapshot' | 'branch' | 'none';
  /** A snapshot's name or a branch's id (sent base64). */
  target: string;
  /** The snapshot made current afterwards (sent base64), or empty. */
  current: string;
  allowForce: boolean;
  stopTimeoutS: number;
  bootWaitS: number;
  /** libvirt's own snapshot-revert (≥ 9.9) or Quiesce's procedure (revert-procedure.ts). */
  procedure?: 'libvirt' | 'quiesce';
}

export interface RevertFiles {
  plan: string;
  before: string;
  after: string;
  branch: string;
  /** A full checkpoint: its memory image, and the live XML to restore it with (disks moved). */
  memory?: { file: string; restoreXml: string };
}

const revertOps = detachedRunner<RevertArgs>('reverts', 'the revert runner', (a) => [
  ['mode', a.mode],
  ['targetKind', a.targetKind],
  ['target', base64Arg(a.target)],
  ['current', base64Arg(a.current)],
  ['allowForce', a.allowForce ? '1' : '0'],
  ['stopTimeoutS', String(a.stopTimeoutS)],
  ['bootWaitS', String(a.bootWaitS)],
  ['procedure', a.procedure ?? 'quiesce'],
]);
/** The folder revert operations live in, under the host folder. */
export const revertDir = revertOps.dir;
/** The `args` file: `name=value` lines; free text goes base64. */
export const revertArgsText = revertOps.argsText;

/** The launch script for one revert (or recover) run, fed to `revertLaunchCommand`. */
export function revertLaunchScript(args: RevertArgs, files?: RevertFiles): string {
  const list: [string, string][] = [
    ['host-lib.sh', hostLib],
    ['runner.sh', revertRunner],
    ['args', revertArgsText(args)],
    ...(files
      ? ([
          ['plan', files.plan],
          ['before.xml', files.before],
          ['after.xml', files.after],
          ['branch.json', files.branch],
          ...(files.memory
            ? ([
                ['memory', base64Arg(files.memory.file)],
                ['restore.xml', files.memory.restoreXml],
              ] as [string, string][])
            : []),
        ] as [string, string][])
      : []),
  ];
  // before.xml is compared byte for byte with libvirt's answer: launchScriptOf adds a final
  // line break only where a text has none (virsh's output always ends with one).
  return launchScriptOf(list);
}

export const revertLaunchCommand = revertOps.launchCommand;
