import { afterAll, describe, expect, it } from 'vitest';
import { parseJournal } from '../../electron/services/snapshot/journal';
import {
  brokenPromises,
  cleanup,
  cutWhileFrozen,
  faultRun,
  SHELLS,
  type ClockFault,
  type FaultOutcome,
  type FaultSpec,
  type Shell,
} from '../fault/fault-run';

/**
 * The snapshot runner (snapshot-runner.sh + watchdog.sh, as shipped) with a clock that fails:
 * the one long-lived `date -f -` of host-lib.sh's clock_start, played by fake-clock.sh, stopped
 * (SIGSTOP), killed (SIGKILL), answering garbage, or silent while it reads on, at each reading
 * that matters: right before the freeze (the window's start), during the cut (from outside, the
 * way an admin's signal lands), right after the thaw (the window's end), at a journal line after
 * the window (the watchdog gone), and at the history line after the result. Under dash, bash and
 * busybox sh. A clock that fails must cost a moment, never the run: the promises hold (never left
 * frozen, never labelled quiesced when the thaw came first, the run ends with its result and end
 * lines, the lock freed, no process left, the failed clock included), and the snapshot is what it
 * would have been with a good clock.
 */

const events = (o: FaultOutcome) => parseJournal(o.journal);
const result = (o: FaultOutcome) => events(o).find((e) => e.kind === 'result');
const watchdog = (o: FaultOutcome) =>
  events(o).flatMap((e) => (e.kind === 'watchdog' ? [e.what] : []));
/** The longest time between two journal lines, ms (every line has the host's mono). */
const longestGap = (o: FaultOutcome) => {
  const monos = o.journal
    .split('\n')
    .map((l) => /"mono":(\d+)/.exec(l)?.[1])
    .filter((m): m is string => m !== undefined)
    .map(Number);
  return Math.max(0, ...monos.slice(1).map((m, i) => m - monos[i]!));
};

/** A failing clock costs a reading about 3 s at most (CLOCK_WAIT_MS): with a loaded machine's
 * process starts around it, no two journal lines of a run are further apart than this. */
const BOUND_MS = 6000;
/** The longest gap of each run, printed at the end for the record. */
const gaps: number[] = [];
afterAll(() => {
  if (gaps.length > 0) console.log(`longest gap between journal lines, ms: ${gaps.join(' ')}`);
});

async function run(spec: FaultSpec, check: (o: FaultOutcome) => void): Promise<void> {
  const o = await faultRun(spec);
  try {
    expect(brokenPromises(o), o.journal).toEqual([]);
    // the fault was played (a case whose fault never came would prove nothing)
    expect(o.clockFault, 'the clock fault happened').not.toBe('');
    expect(o.journal).toMatch(/"ev":"result"/);
    expect(o.journal.trimEnd().split('\n').at(-1)).toMatch(/^\{"ev":"end"/);
    check(o);
    gaps.push(longestGap(o));
    expect(longestGap(o), 'the longest gap between two journal lines').toBeLessThan(BOUND_MS);
  } catch (err) {
    (err as Error).message +=
      `\n--- ${o.ctx.root}\nclock: ${o.clockFault}\n${o.journal}\n--- trace\n${o.trace.join('\n')}`;
    throw err;
  }
  cleanup(o);
}

const HOWS: ClockFault['how'][] = ['stop', 'kill', 'garbage', 'mute'];
/** Where the clock fails; `plan` makes the cut last long enough to be hit from outside. */
const WHERE: { at: string; clock: Omit<ClockFault, 'how'>; plan?: string[] }[] = [
  // the reading right after the freeze's running line is the window's start (freeze_cut_thaw)
  { at: 'right before the freeze', clock: { afterLine: '"phase":"freeze","status":"running"' } },
  {
    at: 'during the window, at the cut',
    clock: { when: (w) => w.trace.includes('cut-start') },
    // 3 s: the kill is sent at a tick of the harness, which a loaded machine delays (a 0.5 s cut
    // was over before it, and no reading was left to see the clock gone)
    plan: ['cut slow 3'],
  },
  // the thaw's running line is the last one written in the window: the next reading is its end
  { at: 'right after the thaw', clock: { afterLine: '"phase":"thaw","status":"running"' } },
  // the metadata's running line comes after the watchdog was disarmed
  {
    at: 'at a journal line after the window',
    clock: { afterLine: '"phase":"disarm","status":"done"' },
  },
  // the reading for the host's history line, before the end line
  { at: 'after the result line', clock: { afterLine: '"ev":"result"' } },
];

describe.each(SHELLS)('a failing clock under %s', (shell: Shell) => {
  const cases = WHERE.flatMap((w) => HOWS.map((how) => [`clock ${how} ${w.at}`, w, how] as const));
  it.concurrent.each(cases)(
    '%s: the run ends quiesced, as with a good clock',
    async (_name, w, how) => {
      // A long maximum freeze: the watchdog must not fire, so the outcome is the clock's doing
      // alone. A run that hangs on its clock is stopped at 20 s and fails "did not end".
      const spec: FaultSpec = {
        shell,
        plan: w.plan ?? [],
        maxFreezeS: 10,
        clock: { how, ...w.clock },
        timeoutMs: 20_000,
      };
      await run(spec, (o) => {
        expect(o.summary).toMatchObject({ state: 'succeeded', label: { kind: 'quiesced' } });
        expect(cutWhileFrozen(o)).toBe(true);
        expect(watchdog(o)).toEqual([]);
        // busybox sh runs its own date applet for a reading without the clock: not counted
        if (shell !== 'busybox')
          expect(o.dateCalls.length, 'a date a reading since').toBeGreaterThan(0);
      });
    },
    40_000,
  );

  it.concurrent(
    'a good clock: no date a reading, one clock for the whole run',
    async () => {
      const o = await faultRun({ shell, clock: { how: 'mute', afterLine: 'never written' } });
      try {
        expect(brokenPromises(o), o.journal).toEqual([]);
        expect(o.clockFault).toBe('');
        expect(o.summary).toMatchObject({ state: 'succeeded', label: { kind: 'quiesced' } });
        expect(o.dateCalls).toEqual([]);
      } catch (err) {
        (err as Error).message += `\n--- ${o.ctx.root}\n${o.journal}`;
        throw err;
      }
      cleanup(o);
    },
    40_000,
  );

  it.concurrent(
    'the clock stopped during a cut that outlasts the maximum freeze: the watchdog thawed first, crash-consistent',
    async () => {
      await run(
        {
          shell,
          plan: ['cut slow 2'],
          maxFreezeS: 1,
          clock: { how: 'stop', when: (w) => w.trace.includes('cut-start') },
          timeoutMs: 20_000,
        },
        (o) => {
          expect(watchdog(o)).toContain('fired');
          expect(o.summary.label).toMatchObject({
            kind: 'crash-consistent',
            reason: expect.stringMatching(/watchdog/),
          });
          expect(result(o)).toMatchObject({ snapshotTaken: true });
        },
      );
    },
    40_000,
  );

  it.concurrent(
    'a silent clock right before the freeze, with a 1 s maximum freeze: whatever the race, no false quiesced',
    async () => {
      // the silent clock costs about the whole maximum freeze before the freeze is sent: the
      // watchdog may fire first, and then the label must say so
      await run(
        {
          shell,
          maxFreezeS: 1,
          clock: { how: 'mute', afterLine: '"phase":"freeze","status":"running"' },
          timeoutMs: 20_000,
        },
        (o) => {
          expect(result(o)).toBeDefined();
          if (o.summary.label?.kind === 'quiesced') expect(cutWhileFrozen(o)).toBe(true);
        },
      );
    },
    40_000,
  );
});
