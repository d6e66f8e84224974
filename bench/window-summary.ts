/**
 * The blocked-write window's numbers, from the runs the window bench took: pure, so the keys
 * `npm run bench -- --json` prints are computed where a unit test can check them.
 */
import type { JournalLine } from '../electron/services/snapshot/journal-line';
import { median, percentile } from './util.js';

/**
 * - `quiesce`: Quiesce's consistent snapshot over the direct SSH link;
 * - `libvirt`: libvirt's own `snapshot-create-as --disk-only --atomic --quiesce`;
 * - `delayed`: Quiesce over a link with added latency;
 * - `floor`: the agent's freeze followed at once by its thaw in one virsh session, nothing
 *   between: no snapshot can block writes for less than this;
 * - `nometa`: freeze, the runner's own disk-only cut (pre-created overlays, `--reuse-external`)
 *   with `--no-metadata`, thaw, by hand in one virsh session: the cut without libvirt saving
 *   the snapshot's metadata inside the window.
 */
export type WindowKind = 'quiesce' | 'libvirt' | 'delayed' | 'floor' | 'nometa';
export const WINDOW_KINDS: readonly WindowKind[] = [
  'quiesce',
  'libvirt',
  'delayed',
  'floor',
  'nometa',
];

/**
 * What the runner's journal says of one window, on the host's monotonic clock (/proc/uptime:
 * 10 ms steps): freeze issued → `frozen` line (domfsfreeze answered) → `thaw` running (the cut
 * answered) → thaw returned.
 */
export interface JournalTimes {
  opId: string;
  freezeMs: number;
  cutMs: number;
  thawMs: number;
  windowMs: number;
}

export interface WindowRun {
  kind: WindowKind;
  snapshot: string;
  /** The longest gap between consecutive writer samples over the run (the blocked write). */
  gapMs: number;
  /** The second-longest gap of the same log: the writer's own jitter beside the freeze. */
  nextGapMs: number;
  samples: number;
  /** Bench wall clock: snapshot.start → its end event (Quiesce), or the virsh command(s). */
  wallMs: number;
  /** Quiesce: the window its runner reported (summary.windowMs, host clock). */
  reportedMs?: number;
  /** Quiesce: "precreated" or "libvirt", from the runner's `disks` journal event. */
  overlays?: string;
  /** Quiesce: the runner's journal on the host (see journalTimes). */
  journal?: JournalTimes;
  /** By hand (floor, nometa): freeze sent → thaw answered, on this machine's clock. */
  handWindowMs?: number;
}

/** Freeze, cut and thaw durations from one runner journal (undefined if it lacks a line). */
export function journalTimes(
  opId: string,
  lines: readonly JournalLine[],
): JournalTimes | undefined {
  const thawed = lines.find((l) => l.ev === 'thawed');
  const frozen = lines.find((l) => l.ev === 'frozen')?.mono;
  const thawRunning = lines.find(
    (l) => l.ev === 'phase' && l.phase === 'thaw' && l.status === 'running',
  )?.mono;
  if (thawed?.ev !== 'thawed' || frozen === undefined || thawRunning === undefined)
    return undefined;
  const start = thawed.windowStartMono;
  const end = thawed.windowEndMono;
  return {
    opId,
    freezeMs: frozen - start,
    cutMs: thawRunning - frozen,
    thawMs: end - thawRunning,
    windowMs: end - start,
  };
}

export interface WindowNumbers {
  runs: number;
  reportedP50Ms: number;
  guestGapP50Ms: number;
  guestGapP90Ms: number;
  libvirtGuestGapP50Ms: number;
  libvirtGuestGapP90Ms: number;
  libvirtCommandP50Ms: number;
  ratio: number;
  delayedLinkGuestGapP50Ms: number;
  delayedLinkRatio: number;
  /** The agent's freeze then thaw, nothing between: median guest gap. */
  floorGuestGapP50Ms: number;
  floorGuestGapP90Ms: number;
  /** Quiesce's guest gap median / the floor's. */
  floorRatio: number;
  /** The runner's cut by hand with `--no-metadata`: median guest gap. */
  noMetadataGuestGapP50Ms: number;
  noMetadataGuestGapP90Ms: number;
  /** By hand, freeze sent → thaw answered (this machine's clock), medians. */
  floorHandWindowP50Ms: number;
  noMetadataHandWindowP50Ms: number;
  /** Quiesce runs (both links) whose runner pre-created the overlays, of all Quiesce runs. */
  overlays: { precreated: number; byLibvirt: number; of: number };
  journal: { freezeP50Ms: number; cutP50Ms: number; thawP50Ms: number } | undefined;
}

export function summarizeWindow(runs: Record<WindowKind, readonly WindowRun[]>): WindowNumbers {
  const gaps = (k: WindowKind) => runs[k].map((r) => r.gapMs);
  const hand = (k: WindowKind) => runs[k].map((r) => r.handWindowMs ?? Number.NaN);
  const allQuiesce = [...runs.quiesce, ...runs.delayed];
  const guestGapP50Ms = median(gaps('quiesce'));
  const libvirtGuestGapP50Ms = median(gaps('libvirt'));
  const delayedLinkGuestGapP50Ms = median(gaps('delayed'));
  const floorGuestGapP50Ms = median(gaps('floor'));
  const withJournal = allQuiesce.flatMap((r) => (r.journal ? [r.journal] : []));
  return {
    runs: runs.quiesce.length,
    reportedP50Ms: median(runs.quiesce.map((r) => r.reportedMs ?? Number.NaN)),
    guestGapP50Ms,
    guestGapP90Ms: percentile(gaps('quiesce'), 90),
    libvirtGuestGapP50Ms,
    libvirtGuestGapP90Ms: percentile(gaps('libvirt'), 90),
    libvirtCommandP50Ms: median(runs.libvirt.map((r) => r.wallMs)),
    ratio: guestGapP50Ms / libvirtGuestGapP50Ms,
    delayedLinkGuestGapP50Ms,
    delayedLinkRatio: delayedLinkGuestGapP50Ms / guestGapP50Ms,
    floorGuestGapP50Ms,
    floorGuestGapP90Ms: percentile(gaps('floor'), 90),
    floorRatio: guestGapP50Ms / floorGuestGapP50Ms,
    noMetadataGuestGapP50Ms: median(gaps('nometa')),
    noMetadataGuestGapP90Ms: percentile(gaps('nometa'), 90),
    floorHandWindowP50Ms: median(hand('floor')),
    noMetadataHandWindowP50Ms: median(hand('nometa')),
    overlays: {
      precreated: allQuiesce.filter((r) => r.overlays === 'precreated').length,
      byLibvirt: allQuiesce.filter((r) => r.overlays === 'libvirt').length,
      of: allQuiesce.length,
    },
    journal:
      withJournal.length > 0
        ? {
            freezeP50Ms: median(withJournal.map((j) => j.freezeMs)),
            cutP50Ms: median(withJournal.map((j) => j.cutMs)),
            thawP50Ms: median(withJournal.map((j) => j.thawMs)),
          }
        : undefined,
  };
}
