import { argsFileText, launchCommand, runnerDir } from './launch';

/**
 * What every detached runner (export, revert) is told of its operation, whatever else it is told:
 * the operation's id, the domain (libvirt URI and UUID), how long the guest agent may take, and
 * where and by whom it was started (written into its journal). `args` files are read by name
 * (read_args in host-lib.sh), so these come first in each.
 */
export interface OperationArgs {
  op: string;
  uri: string;
  uuid: string;
  agentTimeoutS: number;
  workstation: string;
  user: string;
}

/** The `name=value` entries of OperationArgs, for argsFileText (launch.ts). */
export function operationArgEntries(a: OperationArgs): [string, string][] {
  return [
    ['op', a.op],
    ['uri', a.uri],
    ['uuid', a.uuid],
    ['agentTimeoutS', String(a.agentTimeoutS)],
    ['workstation', a.workstation],
    ['user', a.user],
  ];
}

/** Free text (a path, a name) as it goes into an `args` line: base64, so any byte survives. */
export const base64Arg = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * A detached runner (export, revert, restore) as the app addresses it: its folder under the host
 * folder (FOLDER, runnerDir), its `args` file (OperationArgs's entries first, then the OWN ones;
 * RUNNER names it in argsFileText's error) and the exec that launches one of its operations.
 */
export function detachedRunner<A extends OperationArgs>(
  folder: string,
  runner: string,
  own: (a: A) => [string, string][],
) {
  const dir = (hostDir: string) => runnerDir(hostDir, folder);
  return {
    dir,
    argsText: (a: A) => argsFileText(runner, [...operationArgEntries(a), ...own(a)]),
    launchCommand: (hostDir: string, opId: string) => launchCommand(dir(hostDir), opId),
  };
}
