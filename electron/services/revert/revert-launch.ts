import hostLib from '../host-scripts/host-lib.sh?raw';
import revertRunner from '../host-scripts/revert-runner.sh?raw';
import { argsFileText, launchCommand, launchScriptOf, runnerDir } from '../snapshot/launch';

/**
 * How a revert reaches the host: the snapshot runner's launch (host-scripts/launch.sh, files as
 * quoted here-documents, the runner detached with setsid) pointed at HOSTDIR/reverts, so revert
 * operations get folders of their own (HOSTDIR/reverts/ops/OP) that the snapshot runner never
 * reads, while holding the same per-domain lock (HOSTDIR/locks).
 */
export interface RevertArgs {
  op: string;
  uri: string;
  uuid: string;
  mode: 'revert' | 'recover';
  targetKind: 'snapshot' | 'branch' | 'none';
  /** A snapshot's name or a branch's id (sent base64). */
  target: string;
  /** The snapshot made current afterwards (sent base64), or empty. */
  current: string;
  allowForce: boolean;
  stopTimeoutS: number;
  bootWaitS: number;
  agentTimeoutS: number;
  /** libvirt's own snapshot-revert (≥ 9.9) or Quiesce's procedure (revert-procedure.ts). */
  procedure?: 'libvirt' | 'quiesce';
  workstation: string;
  user: string;
}

export interface RevertFiles {
  plan: string;
  before: string;
  after: string;
  branch: string;
  /** A full checkpoint: its memory image, and the live XML to restore it with (disks moved). */
  memory?: { file: string; restoreXml: string };
}

/** The folder revert operations live in, under the host folder. */
export function revertDir(hostDir: string): string {
  return runnerDir(hostDir, 'reverts');
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The `args` file: `name=value` lines; free text goes base64. */
export function revertArgsText(a: RevertArgs): string {
  return argsFileText('the revert runner', [
    ['op', a.op],
    ['uri', a.uri],
    ['uuid', a.uuid],
    ['mode', a.mode],
    ['targetKind', a.targetKind],
    ['target', b64(a.target)],
    ['current', b64(a.current)],
    ['allowForce', a.allowForce ? '1' : '0'],
    ['stopTimeoutS', String(a.stopTimeoutS)],
    ['bootWaitS', String(a.bootWaitS)],
    ['agentTimeoutS', String(a.agentTimeoutS)],
    ['procedure', a.procedure ?? 'quiesce'],
    ['workstation', a.workstation],
    ['user', a.user],
  ]);
}

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
                ['memory', b64(files.memory.file)],
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

export function revertLaunchCommand(hostDir: string, opId: string): string {
  return launchCommand(revertDir(hostDir), opId);
}
