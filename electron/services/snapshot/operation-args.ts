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
