/**
 * Watching a run from the side, as root: the guest's freeze state polled through the agent, and
 * the runner's journal read straight from the host's file (independent of the app, which may be
 * cut off or restarting at that moment).
 */
import { readFileSync } from 'node:fs';
import * as journal from '../../electron/services/snapshot/journal';
import type { OperationEvent } from '../../shared/snapshot';
import { domainState, freezeStatus, type FreezeReading } from './host';

export interface Reading {
  /** Epoch ms when the poll was sent and when its answer came. */
  s: number;
  e: number;
  /** "paused": the agent did not answer because the domain is paused (nothing can thaw it). */
  v: FreezeReading | 'paused';
}

export interface FrozenInterval {
  /** Conservative bounds: from the send of the last poll that saw the guest thawed before it… */
  from: number;
  /** …to the answer of the first poll that saw it thawed after (undefined: not seen thawed). */
  to: number | undefined;
  ms: number;
  /** Polls in between that got no answer (agent stopped, libvirtd down): counted as frozen. */
  unknownPolls: number;
  /** Time the domain was paused inside the interval: not counted in `ms` (a paused guest can be
   * thawed by no one; the promise is about the time it runs frozen). */
  pausedMs: number;
}

/**
 * Polls guest-fsfreeze-status (agent timeout 1 s) back to back, ~every 100 ms. A frozen interval
 * is measured from the last "thawed" reading's send to the next "thawed" reading's answer, so it
 * can only be over-estimated (by about one poll), never under.
 */
export class FreezeMonitor {
  readonly readings: Reading[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly uri: string,
    private readonly domain: string,
    private readonly periodMs = 100,
  ) {}

  start(): this {
    this.loop = (async () => {
      while (!this.stopped) {
        const s = Date.now();
        const r = await freezeStatus(this.uri, this.domain, 1);
        let v: Reading['v'] = r.value;
        if (v === 'unknown' && (await domainState(this.uri, this.domain)).startsWith('paused'))
          v = 'paused';
        const e = Date.now();
        this.readings.push({ s, e, v });
        // After an unanswered poll, leave libvirt's agent queue some room for the runner.
        const pause = v === 'unknown' ? 400 : Math.max(0, this.periodMs - (e - s));
        await new Promise((res) => setTimeout(res, pause));
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  last(): Reading | undefined {
    return this.readings.at(-1);
  }

  /** The last answered (non-unknown) reading. */
  lastKnown(): Reading | undefined {
    return this.readings.findLast((r) => r.v !== 'unknown');
  }

  intervals(now = Date.now()): FrozenInterval[] {
    const out: FrozenInterval[] = [];
    const rs = this.readings;
    let lastThawedS: number | undefined = rs[0]?.s;
    let i = 0;
    while (i < rs.length) {
      const v = rs[i]!.v;
      // Thawed, or paused before any frozen reading: the freeze (if any) starts after this.
      if (v === 'thawed' || v === 'paused') {
        lastThawedS = rs[i]!.s;
        i++;
        continue;
      }
      // a run of non-thawed readings: an interval if at least one of them saw "frozen"
      let j = i;
      let frozen = false;
      let unknownPolls = 0;
      let pausedMs = 0;
      let pausedFrom: number | undefined;
      while (j < rs.length && rs[j]!.v !== 'thawed') {
        const r = rs[j]!;
        if (r.v === 'paused') pausedFrom ??= r.s;
        else if (pausedFrom !== undefined) {
          pausedMs += r.s - pausedFrom;
          pausedFrom = undefined;
        }
        if (r.v === 'frozen') frozen = true;
        else if (r.v === 'unknown') unknownPolls++;
        j++;
      }
      if (frozen) {
        const from = lastThawedS ?? rs[i]!.s;
        const to = j < rs.length ? rs[j]!.e : undefined;
        if (pausedFrom !== undefined) pausedMs += (to ?? now) - pausedFrom;
        out.push({ from, to, ms: (to ?? now) - from - pausedMs, unknownPolls, pausedMs });
      }
      i = j;
    }
    return out;
  }
}

/** Either journal API: `parseJournalLine` (landed) or `parseJournal` of one line (rewrite). */
const J = journal as unknown as {
  parseJournalLine?: (line: string) => OperationEvent | undefined;
  parseJournal: (text: string) => OperationEvent[];
};

/** Journal lines the app reads but shows no event for (the rewritten runner's bookkeeping). */
const NON_UI_LINES = new Set([
  'overlay',
  'orphan-removed',
  'watchdog-waiting',
  'watchdog-released',
]);

/**
 * Is one physical journal line whole and valid? It must be a JSON object, and the app's own
 * journal parser must read an event from it (`parseJournalLine`; with the rewritten module,
 * `parseJournal` of that line alone, bookkeeping lines accepted when they are JSON objects).
 */
export function journalLineProblem(line: string): string | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message}): ${line.slice(0, 160)}`;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return `not a JSON object: ${line.slice(0, 160)}`;
  if (J.parseJournalLine) {
    return J.parseJournalLine(line)
      ? undefined
      : `parseJournalLine read no event: ${line.slice(0, 160)}`;
  }
  const ev = (raw as { ev?: unknown }).ev;
  if (typeof ev === 'string' && NON_UI_LINES.has(ev)) return undefined;
  return J.parseJournal(line).length === 1
    ? undefined
    : `the journal parser read no event: ${line.slice(0, 160)}`;
}

/** Every problem of a journal text: bad lines, and a last line without its newline. */
export function journalProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const p = journalLineProblem(line);
    if (p) problems.push(`line ${i + 1}: ${p}`);
  });
  if (text.length > 0 && !text.endsWith('\n'))
    problems.push('the last line has no newline (the next text appended would glue onto it)');
  if (text.trim() === '') problems.push('empty journal');
  return problems;
}

export function parseEvents(text: string): OperationEvent[] {
  return J.parseJournal(text);
}

/** The host journal of one operation, re-read every 20 ms by the soak (as root). */
export class JournalTail {
  text = '';
  events: OperationEvent[] = [];
  /** Epoch ms when each event was first seen here. */
  seenAt: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {}

  start(): this {
    const tick = () => {
      this.read();
      this.timer = setTimeout(tick, 20);
    };
    tick();
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.read();
  }

  read(): void {
    let t: string;
    try {
      t = readFileSync(this.path, 'utf8');
    } catch {
      return;
    }
    if (t === this.text) return;
    this.text = t;
    // Only whole lines: the last one may still be being written.
    const whole = t.slice(0, t.lastIndexOf('\n') + 1);
    const evs = parseEvents(whole);
    const now = Date.now();
    for (let i = this.events.length; i < evs.length; i++) this.seenAt.push(now);
    this.events = evs;
  }

  /** The runner's pid, from the journal's first line. */
  pid(): number | undefined {
    const m = /"pid":(\d+)/.exec(this.text.split('\n')[0] ?? '');
    return m ? Number(m[1]) : undefined;
  }

  ended(): boolean {
    return this.events.some((e) => e.kind === 'end');
  }

  /** The phase running or last finished, for "where did the fault land". */
  currentPhase(): string {
    const last = this.events.findLast((e) => e.kind === 'phase');
    if (this.ended()) return 'ended';
    if (!last || last.kind !== 'phase') return this.text ? 'started' : 'not-started';
    return `${last.phase}:${last.status}`;
  }

  async waitFor(pred: (e: OperationEvent) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.read();
      if (this.events.some(pred)) return true;
      if (this.ended() || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 15));
    }
  }
}
