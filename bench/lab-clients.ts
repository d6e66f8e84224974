/**
 * Notices other Quiesce sessions using the lab while the bench measures. Each connected app
 * session keeps one event follower on the host (`virsh -c URI event --loop --all`, run by the
 * lab user through sshd); a follower the bench did not start is another client — typically a
 * test tier run on the same lab — whose refreshes probe the same agents (calls to one hung agent
 * queue behind each other in libvirt) and load the 2 cores. The bench cannot stop them, but it
 * says so next to the numbers.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { LAB_USER } from '../test/lab/lab.js';
import { findProcesses } from '../test/lab/procs.js';

export interface ClientWatch {
  /** Counts followers of the URI now; `ours` is how many the bench itself has open. */
  sample(ours: number): void;
  /** The most foreign followers seen in any sample. */
  readonly maxOthers: number;
}

function labUid(): number | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', LAB_USER], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && uid > 0 ? uid : undefined;
  } catch {
    return undefined;
  }
}

export function watchLabClients(uri: string): ClientWatch {
  const uid = labUid();
  let maxOthers = 0;
  return {
    sample(ours: number) {
      if (uid === undefined) return;
      const followers = findProcesses(
        (i) =>
          i.uid === uid &&
          path.basename(i.argv[0] ?? '') === 'virsh' &&
          i.argv.includes('event') &&
          i.argv.includes(uri),
      ).length;
      maxOthers = Math.max(maxOthers, followers - ours);
    },
    get maxOthers() {
      return maxOthers;
    },
  };
}
