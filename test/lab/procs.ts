/**
 * Process bookkeeping through /proc. The lab stops only what it started: every PID it kills is
 * first checked to still run the expected program with the lab's own config file on its command
 * line, because a PID recorded earlier may have been reused by an unrelated process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './exec.js';

export interface ProcInfo {
  pid: number;
  /** Target of /proc/PID/exe ("" when not readable), without a " (deleted)" suffix. */
  exe: string;
  argv: string[];
  uid: number;
  /** One-letter state from /proc/PID/stat: R, S, D, Z… */
  state: string;
  ppid: number;
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0] ?? '';
    const ppid = Number(fields[1] ?? 0);
    const argv = fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    let exe = '';
    try {
      exe = fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    } catch {
      // kernel threads and zombies have no exe link
    }
    return { pid, exe, argv, uid, state, ppid };
  } catch {
    return undefined;
  }
}

/** Alive means present and not a zombie (a zombie has exited; only its parent's wait is missing). */
export function isAlive(pid: number): boolean {
  const info = procInfo(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

export interface Expectation {
  /** Basename of the executable, e.g. "libvirtd". */
  program: string;
  /** A string that must appear as one argv element (our config file path), if any. */
  argIncludes?: string;
}

export function matches(info: ProcInfo, expect: Expectation): boolean {
  const base = path.basename(info.exe || info.argv[0] || '');
  if (base !== expect.program) return false;
  if (!sameRoot(info.pid)) return false;
  if (expect.argIncludes === undefined) return true;
  const needle = expect.argIncludes;
  return info.argv.some((a) => a === needle || a.includes(needle));
}

/**
 * Whether the process sees the same / as we do. A lab in a chroot (e.g. a fresh-machine check)
 * shares /proc with the host's lab and uses the same paths: without this it would take the
 * host's daemons for its own.
 */
export function sameRoot(pid: number): boolean {
  try {
    const theirs = fs.statSync(`/proc/${pid}/root/`);
    const ours = fs.statSync('/');
    return theirs.dev === ours.dev && theirs.ino === ours.ino;
  } catch {
    return false;
  }
}

export function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** Live processes under our / (see sameRoot) for which pred holds. */
export function findProcesses(pred: (info: ProcInfo) => boolean): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const pid of allPids()) {
    const info = procInfo(pid);
    if (info && info.state !== 'Z' && pred(info) && sameRoot(pid)) found.push(info);
  }
  return found;
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded PID, but only if it still is the expected program; else undefined. */
export function ourPid(pidFile: string, expect: Expectation): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined) return undefined;
  const info = procInfo(pid);
  return info && info.state !== 'Z' && matches(info, expect) ? pid : undefined;
}

/** All live descendants of pid (children, grandchildren…), e.g. sshd's per-connection processes. */
export function descendants(pid: number): ProcInfo[] {
  const all = findProcesses(() => true);
  const out: ProcInfo[] = [];
  const parents = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const info of all) {
      if (parents.has(info.ppid) && !parents.has(info.pid)) {
        parents.add(info.pid);
        out.push(info);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * SIGTERM, wait, then SIGKILL. Re-checks identity right before each signal so a PID that was
 * reused in between is never hit. Resolves once the process is gone (or a zombie).
 */
export async function stopProcess(
  pid: number,
  expect: Expectation,
  graceMs = 10_000,
): Promise<void> {
  const check = () => {
    const info = procInfo(pid);
    return info !== undefined && info.state !== 'Z' && matches(info, expect);
  };
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && check()) await sleep(100);
    return !check();
  };
  if (!check()) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (!(await waitGone(graceMs)) && check()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited between the check and the signal
    }
    await waitGone(5_000);
  }
  // Gone, but maybe still a zombie until its parent (often PID 1, which here reaps only every
  // second or two) collects it; wait briefly so `ps` right after shows nothing of ours.
  const reapDeadline = Date.now() + 5_000;
  while (Date.now() < reapDeadline && fs.existsSync(`/proc/${pid}`)) await sleep(100);
}

/**
 * Who listens on a TCP port (IPv4 or IPv6), from /proc/net/tcp* and the processes' socket fds.
 * Used only to make the "port taken" error say by whom.
 */
export function tcpListeners(port: number): { inode: string; pids: ProcInfo[] }[] {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue; // 0A = LISTEN
      const localPort = parseInt(local.split(':')[1] ?? '', 16);
      if (localPort === port && cols[9]) inodes.add(cols[9]);
    }
  }
  const result: { inode: string; pids: ProcInfo[] }[] = [];
  for (const inode of inodes) {
    const pids: ProcInfo[] = [];
    for (const pid of allPids()) {
      let fds: string[] = [];
      try {
        fds = fs.readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      const owns = fds.some((fd) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
        } catch {
          return false;
        }
      });
      const info = owns ? procInfo(pid) : undefined;
      if (info) pids.push(info);
    }
    result.push({ inode, pids });
  }
  return result;
}
