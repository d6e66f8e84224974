/** The window bench's notes: how it measured, every run's number, and what disturbed it. */
import { fmtSamples, median } from './util.js';
import type { WindowBenchOptions } from './window-bench.js';
import {
  WINDOW_KINDS,
  type WindowKind,
  type WindowNumbers,
  type WindowRun,
} from './window-summary.js';

export function windowNotes(x: {
  domain: string;
  runs: Record<WindowKind, readonly WindowRun[]>;
  numbers: WindowNumbers;
  opts: Pick<WindowBenchOptions, 'runs' | 'settleMs' | 'delayMsOneWay'>;
  /** The guest was left as found (else the problems say what was fixed). */
  clean: boolean;
  failures: readonly string[];
  dropped: readonly string[];
  onForeignTop: readonly string[];
  /** The disk's top image before the bench. */
  baseTop: string;
  othersOnHost: readonly string[];
}): string[] {
  const { domain: D, runs, numbers: n, opts } = x;
  const gaps = (k: WindowKind) => runs[k].map((r) => r.gapMs);
  const q = runs.quiesce;
  const allQuiesce = [...runs.quiesce, ...runs.delayed];
  const all = WINDOW_KINDS.flatMap((k) => runs[k]);
  const covered = allQuiesce.filter((r) => (r.reportedMs ?? 0) >= r.gapMs - 20).length;
  const noisy = all.filter((r) => r.nextGapMs > 40);
  return [
    `window: ${D}, ${opts.runs} counted runs each of Quiesce (snapshot.start through the app's services, ssh2 to the lab sshd), ` +
      `libvirt's own \`virsh snapshot-create-as ${D} NAME --disk-only --atomic --quiesce\` (local, as root), Quiesce over ` +
      `a relay adding ${2 * opts.delayMsOneWay} ms round trip, the floor (domfsfreeze then at once domfsthaw in one local virsh ` +
      `session) and the runner's cut by hand with --no-metadata (overlay pre-created, --reuse-external, freeze/cut/thaw in one ` +
      `local virsh session); each round runs one of each, order rotated; 1 warm-up of each not counted`,
    `window: guest gap = longest gap between consecutive samples of the guest's 10 ms writer (guest CLOCK_MONOTONIC), ` +
      `the writer restarted (log truncated) ${opts.settleMs} ms before each snapshot and read ${opts.settleMs} ms after it ended; ` +
      `a blocked write shows as the blocked time + up to one 10 ms tick. Writer jitter (2nd-longest gap of a run): median ` +
      `${median(all.map((r) => r.nextGapMs)).toFixed(1)} ms` +
      (noisy.length > 0 ? `; over 40 ms in ${noisy.length} run(s) (a busy machine)` : ''),
    `window: guest gap ms per run: Quiesce ${fmtSamples(gaps('quiesce'))}; libvirt ${fmtSamples(gaps('libvirt'))}; ` +
      `Quiesce delayed link ${fmtSamples(gaps('delayed'))}; floor ${fmtSamples(gaps('floor'))}; ` +
      `--no-metadata by hand ${fmtSamples(gaps('nometa'))}`,
    `window: against the floor (guest gap medians): Quiesce ${n.floorRatio.toFixed(2)}x, libvirt --quiesce ` +
      `${(n.libvirtGuestGapP50Ms / n.floorGuestGapP50Ms).toFixed(2)}x, --no-metadata by hand ` +
      `${(n.noMetadataGuestGapP50Ms / n.floorGuestGapP50Ms).toFixed(2)}x; by hand, freeze sent -> thaw answered (local clock), ` +
      `median ${Math.round(n.floorHandWindowP50Ms)} ms for the floor, ${Math.round(n.noMetadataHandWindowP50Ms)} ms with the --no-metadata cut`,
    `window: Quiesce reported windowMs per run: ${fmtSamples(q.map((r) => r.reportedMs ?? Number.NaN))} (delayed link: ` +
      `${fmtSamples(runs.delayed.map((r) => r.reportedMs ?? Number.NaN))}); reported >= guest gap - 20 ms in ${covered}/${allQuiesce.length} ` +
      `(docs/ARCHITECTURE.md, "Measured window")`,
    `window: libvirt command ms per run: ${fmtSamples(runs.libvirt.map((r) => r.wallMs))}; Quiesce snapshot.start -> end seen, ` +
      `median ${Math.round(median(q.map((r) => r.wallMs)))} ms direct, ${Math.round(median(runs.delayed.map((r) => r.wallMs)))} ms over the delayed link`,
    `window: overlays pre-created by the runner in ${n.overlays.precreated}/${n.overlays.of} Quiesce runs, by libvirt in ${n.overlays.byLibvirt} ` +
      `(runner's \`disks\` journal event)` +
      (n.overlays.precreated < n.overlays.of
        ? ': NOT pre-created every time — libvirt then creates them inside the frozen window'
        : ', handed to libvirt with --reuse-external'),
    n.journal
      ? `window: runner journal (host /proc/uptime, 10 ms steps), median over ${allQuiesce.filter((r) => r.journal).length} Quiesce runs: ` +
        `freeze issued -> frozen ${n.journal.freezeP50Ms} ms, cut ${n.journal.cutP50Ms} ms, thaw ${n.journal.thawP50Ms} ms`
      : `window: the runner journals on the host could not be read`,
    `window: every snapshot deleted right after its run (virsh snapshot-delete: libvirt 9.0 merges the overlay back; ` +
      `a --no-metadata cut: blockcommit --active --shallow --pivot, then its overlay removed); ` +
      `at the end ${D} ${x.clean ? 'is thawed and has no bench snapshot left' : 'needed clean-up (see warnings)'}`,
    ...(x.failures.length > 0
      ? [`window: ${x.failures.length} failed run(s) retried: ${x.failures.join(' | ')}`]
      : []),
    ...(x.dropped.length > 0
      ? [
          `WARNING: ${x.dropped.length} run(s) dropped and retried because another session operated on ${D} meanwhile: ${x.dropped.join(' | ')}`,
        ]
      : []),
    ...(x.onForeignTop.length > 0
      ? [
          `WARNING: ${x.onForeignTop.length} run(s) taken with another session's snapshot on top of ${D}'s disk (not ${x.baseTop}): ${x.onForeignTop.join(', ')}`,
        ]
      : []),
    ...(x.othersOnHost.length > 0
      ? [
          `WARNING: ${x.othersOnHost.length} operation(s) of another Quiesce session ran on the lab host during the window bench (${x.othersOnHost.join(', ')}): the machine was busier; the window numbers may be skewed`,
        ]
      : []),
  ];
}
