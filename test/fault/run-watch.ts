/**
 * What the fault harnesses of the runners (fault-run.ts, export-fault-run.ts) share: the fake
 * host's bin folder, and watching one launched run until every process it started is gone, with
 * a signal at the moment the test chooses. The runner and its watchdog each lead a session of
 * their own (launch.sh starts them with setsid), so "gone" means no process left in either.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Shell = 'dash' | 'bash' | 'busybox';

/** What a trigger sees at each tick: the run's journal and the fake's trace, as they are now. */
export interface RunWatch {
  journal: string;
  trace: string;
}

export interface RunSignal {
  sig: NodeJS.Signals;
  /** To the runner's whole process group (its session), not only the runner. */
  group?: boolean;
  when: (w: RunWatch) => boolean;
}

export const readIf = (f: string) => {
  // A process can end between the look and the read: gone reads as empty.
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
const pidIn = (f: string) => Number(readIf(f).trim()) || 0;

/** Alive and not a zombie waiting for its parent. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/\) Z /.test(readIf(`/proc/${pid}/stat`));
}

/**
 * Processes whose session is one of `sids`, as "pid sid stat args" lines. Read from /proc, not
 * from `ps`: the watch loop asks at every tick of every concurrent case, and a `ps` there was a
 * process start that blocked the worker's event loop each time.
 */
function sessionMembers(sids: number[]): string[] {
  if (sids.length === 0) return [];
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // pid (comm) state ppid pgrp session …; comm may hold spaces and parentheses: split after
    // its last ')'
    const stat = readIf(`/proc/${entry}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, , , session] = fields;
    if (!state || state === 'Z' || !sids.includes(Number(session))) continue;
    const args = readIf(`/proc/${entry}/cmdline`).split('\0').join(' ').trim();
    members.push(`${entry} ${session} ${state} ${args}`);
  }
  return members;
}

/**
 * The fake host's bin folder: `sh` is the shell under test, `virsh` and `qemu-img` the fake
 * script (run by dash whatever the shell, so the fake's own speed does not vary with it).
 */
export function writeFakeBin(bin: string, shell: Shell, fake: string): void {
  const sh = shell === 'busybox' ? 'busybox sh' : shell;
  writeFileSync(join(bin, 'sh'), `#!/bin/sh\nexec ${sh} "$@"\n`);
  writeFileSync(join(bin, 'virsh'), `#!/bin/sh\nexec dash '${fake}' "$@"\n`);
  writeFileSync(join(bin, 'qemu-img'), `#!/bin/sh\nFAKE_AS=qemu-img exec dash '${fake}' "$@"\n`);
  for (const f of ['sh', 'virsh', 'qemu-img']) chmodSync(join(bin, f), 0o755);
}

/**
 * Watches the run whose operation folder is `dir` (its runner.pid and watchdog.pid) until its
 * runner, its watchdog and everything in their sessions are gone, or `timeoutMs`. Sends `signal`
 * once its trigger holds, and calls `tick` at each look (a cancel, say). Whatever is still
 * running at the end is SIGKILLed and listed in `leftovers`: a stuck run never outlives its test.
 */
export async function watchRun(o: {
  dir: string;
  traceFile: string;
  timeoutMs: number;
  signal?: RunSignal;
  tick?: (w: RunWatch) => void;
}): Promise<{ ended: boolean; leftovers: string[] }> {
  const deadline = Date.now() + o.timeoutMs;
  let signalled = !o.signal;
  let ended = false;
  const sids = new Set<number>();
  for (;;) {
    const runner = pidIn(join(o.dir, 'runner.pid'));
    const watchdog = pidIn(join(o.dir, 'watchdog.pid'));
    if (runner) sids.add(runner);
    if (watchdog) sids.add(watchdog);
    const w = { journal: readIf(join(o.dir, 'journal.jsonl')), trace: readIf(o.traceFile) };
    if (!signalled && o.signal && runner && o.signal.when(w)) {
      try {
        process.kill(o.signal.group ? -runner : runner, o.signal.sig);
      } catch {
        /* already gone: the run outran the trigger */
      }
      signalled = true;
    }
    o.tick?.(w);
    const runnerDone = runner > 0 && !alive(runner);
    const watchdogDone = !watchdog || !alive(watchdog);
    if (runnerDone && watchdogDone && sessionMembers([...sids]).length === 0) {
      ended = true;
      break;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const leftovers = sessionMembers([...sids]);
  for (const sid of sids) {
    try {
      process.kill(-sid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return { ended, leftovers };
}

/** Nobody holds the domain's lock file (or there is none). */
export function lockIsFree(lockFile: string): boolean {
  if (!existsSync(lockFile)) return true;
  try {
    execFileSync('flock', ['-n', lockFile, 'true']);
    return true;
  } catch {
    return false;
  }
}
