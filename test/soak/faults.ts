import { mixSeed, rng, type Rng } from './prng';

/**
 * The faults a soak run can inject, and the plan of one run: which fault, when, and with which
 * parameters. A plan is a pure function of (seed, run index, options): printing it is enough to
 * reproduce a run (`npm run soak -- --seed S --only R`).
 */
export const FAULT_KINDS = [
  'none',
  'link-drop',
  'app-restart',
  'runner-sigkill',
  'runner-sigterm',
  'agent-stop',
  'libvirtd-restart',
  'overlay-full',
  'second-runner',
  'slow-cut',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * When a fault lands: right after `snapshot.start` returned ("launched"), or when the runner's
 * journal (read on the host, as root, every 20 ms) shows that phase starting — plus `offsetMs`.
 * "before-start" (overlay-full only): the folder is full before the operation starts.
 */
export const ANCHORS = [
  'before-start',
  'launched',
  'prepare',
  'arm',
  'freeze',
  'frozen',
  'cut',
  'thaw',
  'verify',
] as const;
export type Anchor = (typeof ANCHORS)[number];

export interface RunPlan {
  run: number;
  kind: FaultKind;
  /** Runner fault injection: hold the guest frozen this long before the cut (0: none). */
  holdMs: number;
  anchor?: Anchor;
  offsetMs?: number;
  /** link-drop: how long the link stays down; app-restart: how long no app runs. */
  downMs?: number;
  /** runner-sig*: the runner alone or its whole process group. */
  target?: 'runner' | 'group';
  /** libvirtd-restart: how libvirtd is stopped. */
  signal?: 'SIGTERM' | 'SIGKILL';
  /** agent-stop: the agent is stopped this long after the schedule is set, for stopMs. */
  stopAfterMs?: number;
  stopMs?: number;
  /** overlay-full: the current top image is preallocated (only new files fail) or sparse. */
  prealloc?: boolean;
  /** second-runner: both starts together, or the second at the anchor from this or another app. */
  second?: 'together' | 'same-app' | 'other-app';
}

const ANCHOR_WEIGHTS: readonly (readonly [Anchor, number])[] = [
  ['launched', 1],
  ['prepare', 1],
  ['arm', 1],
  ['freeze', 2],
  ['frozen', 3],
  ['cut', 2],
  ['thaw', 1],
  ['verify', 1],
];

/** A hold that widens the frozen window (so faults land inside it) but stays under max freeze. */
function someHold(r: Rng, maxFreezeS: number): number {
  const top = maxFreezeS * 1000 - 800;
  return top > 300 && r.chance(0.5) ? r.int(300, top) : 0;
}

function anchorAndOffset(r: Rng, holdMs: number, anchors = ANCHOR_WEIGHTS) {
  const anchor = r.weighted(anchors);
  const offsetMs = anchor === 'frozen' && holdMs > 0 ? r.int(0, holdMs) : r.int(0, 250);
  return { anchor, offsetMs };
}

/**
 * The kinds of runs [from, from+count) in order: every block of as many runs as there are kinds
 * is a seeded permutation of the kinds, so a soak of N ≥ kinds runs injects every fault.
 */
export function kindFor(seed: number, run: number, kinds: readonly FaultKind[]): FaultKind {
  const block = Math.floor(run / kinds.length);
  const order = rng(mixSeed(seed, 0x6b696e64, block)).shuffle(kinds);
  return order[run % kinds.length]!;
}

export function planRun(
  seed: number,
  run: number,
  opts: { maxFreezeS: number; kinds?: readonly FaultKind[] },
): RunPlan {
  const kinds = opts.kinds && opts.kinds.length > 0 ? opts.kinds : FAULT_KINDS;
  const kind = kindFor(seed, run, kinds);
  const r = rng(mixSeed(seed, run, 0x72756e));
  const max = opts.maxFreezeS;
  switch (kind) {
    case 'none':
      return { run, kind, holdMs: someHold(r, max) };
    case 'link-drop': {
      const holdMs = someHold(r, max);
      return { run, kind, holdMs, ...anchorAndOffset(r, holdMs), downMs: r.int(300, 5000) };
    }
    case 'app-restart': {
      const holdMs = someHold(r, max);
      return { run, kind, holdMs, ...anchorAndOffset(r, holdMs), downMs: r.int(0, 3000) };
    }
    case 'runner-sigkill':
    case 'runner-sigterm': {
      const holdMs = someHold(r, max);
      return {
        run,
        kind,
        holdMs,
        ...anchorAndOffset(r, holdMs),
        target: r.chance(0.5) ? 'runner' : 'group',
      };
    }
    case 'agent-stop':
      // No hold: the frozen time is then bounded by the stop (≤ max freeze − 1 s) plus the
      // normal window, so "thawed within max freeze + 2 s" stays a fair demand on the runner.
      return {
        run,
        kind,
        holdMs: 0,
        stopAfterMs: r.int(0, 3000),
        stopMs: r.int(500, Math.max(500, max * 1000 - 1000)),
      };
    case 'libvirtd-restart': {
      const holdMs = someHold(r, max);
      return {
        run,
        kind,
        holdMs,
        ...anchorAndOffset(r, holdMs),
        signal: r.chance(0.7) ? 'SIGTERM' : 'SIGKILL',
        downMs: r.int(0, 2000),
      };
    }
    case 'overlay-full': {
      const holdMs = someHold(r, max);
      return {
        run,
        kind,
        holdMs,
        ...anchorAndOffset(r, holdMs, [['before-start', 3], ...ANCHOR_WEIGHTS]),
        prealloc: r.chance(0.5),
      };
    }
    case 'second-runner': {
      const holdMs = someHold(r, max);
      const second = r.pick(['together', 'same-app', 'other-app'] as const);
      return {
        run,
        kind,
        holdMs,
        ...(second === 'together' ? {} : anchorAndOffset(r, holdMs)),
        second,
      };
    }
    case 'slow-cut':
      return { run, kind, holdMs: max * 1000 + r.int(500, 3000) };
  }
}

/** One line that says what a plan does. */
export function describePlan(p: RunPlan): string {
  const at = p.anchor ? ` at ${p.anchor}+${p.offsetMs}ms` : '';
  const hold = p.holdMs ? ` hold ${p.holdMs}ms` : '';
  switch (p.kind) {
    case 'link-drop':
      return `link-drop${at} for ${p.downMs}ms${hold}`;
    case 'app-restart':
      return `app-restart${at}, down ${p.downMs}ms${hold}`;
    case 'runner-sigkill':
    case 'runner-sigterm':
      return `${p.kind} (${p.target})${at}${hold}`;
    case 'agent-stop':
      return `agent-stop after ${p.stopAfterMs}ms for ${p.stopMs}ms`;
    case 'libvirtd-restart':
      return `libvirtd-restart (${p.signal})${at}, down ${p.downMs}ms${hold}`;
    case 'overlay-full':
      return `overlay-full (${p.prealloc ? 'top preallocated' : 'top sparse'})${at}${hold}`;
    case 'second-runner':
      return `second-runner (${p.second})${at}${hold}`;
    default:
      return `${p.kind}${hold}`;
  }
}
