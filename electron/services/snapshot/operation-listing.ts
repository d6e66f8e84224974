/**
 * The listing the host scripts print for many operations at once (operations-list.sh,
 * history.sh, restore-tests-list.sh): a line `@@op OPID [ALIVE]` (ALIVE `1` while its runner
 * still runs), then that operation's journal, an operation after the other. Pure.
 */
export interface ListedOperation {
  opId: string;
  /** The runner still runs (false where the script does not say). */
  alive: boolean;
  journal: string;
}

export function splitOperationListing(stdout: string): ListedOperation[] {
  const ops: ListedOperation[] = [];
  for (const chunk of stdout.split(/^@@op /m).slice(1)) {
    const nl = chunk.indexOf('\n');
    const [opId, alive] = (nl < 0 ? chunk : chunk.slice(0, nl)).trim().split(' ');
    if (!opId) continue;
    ops.push({ opId, alive: alive === '1', journal: nl < 0 ? '' : chunk.slice(nl + 1) });
  }
  return ops;
}
