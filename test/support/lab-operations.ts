import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJournalLines, type JournalLine } from '../../electron/services/snapshot/journal-line';
import { LAB_USER } from '../lab/config';

/**
 * The operations the app's runners journaled on the lab host (this machine), read as the app
 * reads them: through the one journal-line schema, never by pattern-matching the text. Every app
 * session (the tiers, the bench, the soak) writes under the lab user's home, in `.quiesce…` data
 * folders, each with an `ops` folder of journals.
 */

/** The lab user's home, from /etc/passwd (the lab user is a local account). */
export function labUserHome(user = LAB_USER): string {
  try {
    const home = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user}:`))
      ?.split(':')[5];
    if (home) return home;
  } catch {
    // fall through
  }
  return `/home/${user}`;
}

/** Every `ops` folder of the app's data folders on the host (`~/.quiesce`, `~/.quiesce-…`). */
export function labOpsDirs(home = labUserHome()): string[] {
  try {
    return readdirSync(home)
      .filter((n) => n.startsWith('.quiesce'))
      .map((n) => join(home, n, 'ops'));
  } catch {
    return [];
  }
}

/** One operation's journal file (the default data folder, as the app's sessions use it). */
export function journalPath(opId: string, opsDir = join(labUserHome(), '.quiesce', 'ops')): string {
  return join(opsDir, opId, 'journal.jsonl');
}

/** One operation's journal lines, or undefined when there is no journal (yet). */
export function readOperationJournal(opId: string, opsDir?: string): JournalLine[] | undefined {
  try {
    return readJournalLines(readFileSync(journalPath(opId, opsDir), 'utf8'));
  } catch {
    return undefined;
  }
}

export interface LabOperation {
  opId: string;
  opsDir: string;
  lines: JournalLine[];
  /** When the journal file last changed (epoch ms). */
  mtimeMs: number;
}

/**
 * The operations whose journal changed at or after `sinceMs` (epoch ms), in every ops folder.
 * Op ids start with their UTC start second, so `notBefore` (epoch ms) skips older ones unread.
 */
export function labOperationsSince(
  sinceMs: number,
  opts: { home?: string; notBefore?: number } = {},
): LabOperation[] {
  const oldest =
    opts.notBefore === undefined
      ? ''
      : new Date(opts.notBefore)
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d+Z$/, 'Z');
  const out: LabOperation[] = [];
  for (const opsDir of labOpsDirs(opts.home)) {
    let ids: string[] = [];
    try {
      ids = readdirSync(opsDir).filter((id) => id >= oldest);
    } catch {
      continue;
    }
    for (const opId of ids) {
      const file = journalPath(opId, opsDir);
      try {
        const mtimeMs = statSync(file).mtimeMs;
        if (mtimeMs < sinceMs) continue;
        out.push({ opId, opsDir, lines: readJournalLines(readFileSync(file, 'utf8')), mtimeMs });
      } catch {
        // no journal (yet)
      }
    }
  }
  return out;
}

/** The journal's `start` line: what was asked (domain, snapshot, max freeze, the runner's pid). */
export function startOf(lines: readonly JournalLine[]) {
  return lines.find((l): l is Extract<JournalLine, { ev: 'start' }> => l.ev === 'start');
}

/** The runner's pid, from its journal's start line on the host. */
export function runnerPid(opId: string, opsDir?: string): number {
  const pid = startOf(readOperationJournal(opId, opsDir) ?? [])?.pid;
  if (!pid) throw new Error(`the journal of ${opId} names no runner pid`);
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The operations (other than `exclude`) that ran between fromMs and toMs (epoch ms, this
 * machine's clock: the lab host is this machine), from their journal lines' realtime stamps; a
 * runner still alive without an end line counts as running until now. `onGuest`: it was on the
 * domain `uuid`.
 */
export function operationsOverlapping(
  fromMs: number,
  toMs: number,
  exclude: ReadonlySet<string>,
  uuid: string,
  home?: string,
): { opId: string; onGuest: boolean }[] {
  const found: { opId: string; onGuest: boolean }[] = [];
  // Op ids start with their UTC start second: anything older than 10 minutes is not read.
  for (const op of labOperationsSince(0, {
    notBefore: fromMs - 600_000,
    ...(home ? { home } : {}),
  })) {
    if (exclude.has(op.opId)) continue;
    const rts = op.lines.flatMap((l) => (l.rt === undefined ? [] : [l.rt / 1e6]));
    if (rts.length === 0) continue;
    const start = startOf(op.lines);
    // A killed runner never writes its end line: only a live one is still running.
    const pid = start?.pid ?? 0;
    const running = !op.lines.some((l) => l.ev === 'end') && pid > 0 && isAlive(pid);
    const last = running ? toMs : Math.max(...rts);
    if (Math.min(...rts) <= toMs && last >= fromMs)
      found.push({ opId: op.opId, onGuest: start?.uuid === uuid });
  }
  return found;
}
