/**
 * The bench's two outputs: the JSON object other tools parse (its keys are an interface: change
 * them only together with those tools) and the table people read, one row per measure with its
 * target and PASS/FAIL where the design sets one.
 */
import type { AgentsResult } from './agents-bench.js';
import type { InventoryResult } from './inventory-bench.js';
import { UI_TARGETS, type UiResult } from './ui-bench.js';
import { fmtMs } from './util.js';
import type { WindowResult } from './window-bench.js';

export interface BenchResult {
  inventory: InventoryResult;
  agents: AgentsResult;
  window: WindowResult;
  /** Undefined when the UI could not be measured (the notes say why). */
  ui?: UiResult | undefined;
  machine: { cores: number; date: string };
  notes: string[];
}

/** Targets from docs/ARCHITECTURE.md, "Measures that matter" (not asserted: this is a benchmark). */
export const TARGETS = {
  speedup: 20,
  ratio: 1.5,
  /** Quiesce's guest-observed gap / libvirt's own --quiesce snapshot's, medians. */
  windowRatio: 1.0,
  /** The same gap over a link with 200 ms more round trip / over the direct link. */
  delayedLinkRatio: 1.05,
  /** Quiesce's guest-observed gap / the agent's freeze-then-thaw with nothing between, medians. */
  floorRatio: 1.15,
} as const;

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
const fmtGap = (ms: number) => `${ms.toFixed(1)} ms`;

export function toJson(r: BenchResult) {
  return {
    inventory: {
      domains: r.inventory.domains,
      roundTripsPerRefresh: r.inventory.roundTripsPerRefresh,
      refreshMs: Math.round(r.inventory.refreshMs),
      naiveRefreshMs: Math.round(r.inventory.naiveRefreshMs),
      speedup: round2(r.inventory.speedup),
    },
    agents: {
      hung1Ms: Math.round(r.agents.hung1Ms),
      hung3Ms: Math.round(r.agents.hung3Ms),
      ratio: round2(r.agents.ratio),
    },
    window: {
      runs: r.window.runs,
      reportedP50Ms: round1(r.window.reportedP50Ms),
      guestGapP50Ms: round1(r.window.guestGapP50Ms),
      guestGapP90Ms: round1(r.window.guestGapP90Ms),
      libvirtGuestGapP50Ms: round1(r.window.libvirtGuestGapP50Ms),
      ratio: round2(r.window.ratio),
      delayedLinkGuestGapP50Ms: round1(r.window.delayedLinkGuestGapP50Ms),
      delayedLinkRatio: round2(r.window.delayedLinkRatio),
      floorGuestGapP50Ms: round1(r.window.floorGuestGapP50Ms),
      floorRatio: round2(r.window.floorRatio),
      noMetadataGuestGapP50Ms: round1(r.window.noMetadataGuestGapP50Ms),
    },
    ui: r.ui
      ? {
          firstScreenKB: Math.round(r.ui.firstScreenKB),
          listScreenKB: Math.round(r.ui.listScreenKB),
          firstListMs: Math.round(r.ui.firstListMs),
          listCallMs: Math.round(r.ui.listCallMs),
          rowsInSight: r.ui.rowsInSight,
        }
      : null,
    machine: { cores: r.machine.cores, date: r.machine.date },
  };
}

interface Row {
  measure: string;
  value: string;
  target: string;
  result: '' | 'PASS' | 'FAIL';
}

const verdict = (ok: boolean): Row['result'] => (ok ? 'PASS' : 'FAIL');
/** A row with no target. */
const info = (measure: string, value: string): Row => ({ measure, value, target: '', result: '' });
/** A ratio row whose target is an upper bound. */
const atMost = (measure: string, value: number, max: number, shownMax = max.toFixed(2)): Row => ({
  measure,
  value: value.toFixed(2),
  target: `<= ${shownMax}`,
  result: verdict(value <= max),
});

/** The UI's rows: the first screen's JavaScript and the first list's time (docs/ui.md). */
function uiSection(ui: UiResult): [string, Row[]] {
  return [
    `UI: the built renderer in Chromium on the browser shell, ${ui.domains}-domain host at 1280×800`,
    [
      {
        measure: 'JavaScript loaded by the first screen',
        value: `${ui.firstScreenKB.toFixed(0)} KB`,
        target: `<= ${UI_TARGETS.firstScreenKB} KB`,
        result: verdict(ui.firstScreenKB <= UI_TARGETS.firstScreenKB),
      },
      {
        measure: 'first domain list on screen after Connected, median',
        value: fmtMs(ui.firstListMs),
        target: `<= ${fmtMs(UI_TARGETS.firstListMs)}`,
        result: verdict(ui.firstListMs <= UI_TARGETS.firstListMs),
      },
      info('of which main answering domains.list (the inventory), median', fmtMs(ui.listCallMs)),
      info('domain rows in sight', String(ui.rowsInSight)),
    ],
  ];
}

export function renderTable(r: BenchResult): string {
  const inv = r.inventory;
  const ag = r.agents;
  const small = inv.smallHost;
  const win = r.window;
  const n = (k: keyof WindowResult['runsByKind']) => win.runsByKind[k].length;
  const sections: [string, Row[]][] = [
    [
      `Inventory with readiness: ${inv.domains} domains (libvirt test driver) through the lab sshd`,
      [
        {
          measure: `SSH round trips per refresh, ${inv.domains} domains`,
          value: String(inv.roundTripsPerRefresh),
          target: `same as ${small.domains} domains`,
          result: verdict(inv.roundTripsPerRefresh === small.roundTripsPerRefresh),
        },
        info(
          `SSH round trips per refresh, ${small.domains} domains (${small.uri})`,
          String(small.roundTripsPerRefresh),
        ),
        info(
          `refresh (domains.list), median of ${inv.refreshSamples.length}`,
          fmtMs(inv.refreshMs),
        ),
        info(
          `naive: one virsh exec per domain, median of ${inv.naiveSamples.length}`,
          fmtMs(inv.naiveRefreshMs),
        ),
        {
          measure: 'speedup (naive / refresh)',
          value: `${inv.speedup.toFixed(1)}x`,
          target: `>= ${TARGETS.speedup}x`,
          result: verdict(inv.speedup >= TARGETS.speedup),
        },
      ],
    ],
    [
      `Unresponsive agents: refresh of ${small.uri} with ${ag.agentGuests.length} agent guests`,
      [
        info(`refresh, no agent hung, median of ${ag.samples.hung0.length}`, fmtMs(ag.hung0Ms)),
        info('first refresh after hanging 1 agent', fmtMs(ag.first.hung1)),
        info('first refresh after hanging 3 agents', fmtMs(ag.first.hung3)),
        info(`refresh, 1 agent hung, median of ${ag.samples.hung1.length}`, fmtMs(ag.hung1Ms)),
        info(`refresh, 3 agents hung, median of ${ag.samples.hung3.length}`, fmtMs(ag.hung3Ms)),
        atMost('ratio 3 hung / 1 hung', ag.ratio, TARGETS.ratio, String(TARGETS.ratio)),
      ],
    ],
    [
      `Blocked-write window: consistent snapshots of ${win.guest} (writer loop on), Quiesce vs libvirt --quiesce and the floor, interleaved`,
      [
        info(
          `Quiesce reported window (windowMs), median of ${win.runs}`,
          fmtGap(win.reportedP50Ms),
        ),
        info(`Quiesce guest gap, median of ${n('quiesce')}`, fmtGap(win.guestGapP50Ms)),
        info(`Quiesce guest gap, p90 of ${n('quiesce')}`, fmtGap(win.guestGapP90Ms)),
        info(
          `libvirt snapshot-create-as --quiesce guest gap, median of ${n('libvirt')}`,
          fmtGap(win.libvirtGuestGapP50Ms),
        ),
        info(
          `libvirt guest gap p90 / its command, median`,
          `${fmtGap(win.libvirtGuestGapP90Ms)} / ${fmtMs(win.libvirtCommandP50Ms)}`,
        ),
        atMost('ratio Quiesce / libvirt (guest gap medians)', win.ratio, TARGETS.windowRatio),
        info(
          `Quiesce guest gap, link +${win.delayedLinkRttMs} ms round trip, median of ${n('delayed')}`,
          fmtGap(win.delayedLinkGuestGapP50Ms),
        ),
        atMost(
          'ratio delayed / direct link (guest gap medians)',
          win.delayedLinkRatio,
          TARGETS.delayedLinkRatio,
        ),
        info(
          `floor: agent freeze then thaw, nothing between, guest gap, median of ${n('floor')}`,
          fmtGap(win.floorGuestGapP50Ms),
        ),
        info(
          `the runner's cut by hand with --no-metadata, guest gap, median of ${n('nometa')}`,
          fmtGap(win.noMetadataGuestGapP50Ms),
        ),
        atMost('ratio Quiesce / floor (guest gap medians)', win.floorRatio, TARGETS.floorRatio),
        {
          measure: 'overlays pre-created before the freeze (runner journal)',
          value: `${win.overlays.precreated}/${win.overlays.of}`,
          target: 'all',
          result: verdict(win.overlays.precreated === win.overlays.of),
        },
        ...(win.journal
          ? [
              info(
                'runner journal, medians: freeze / cut / thaw (10 ms steps)',
                `${win.journal.freezeP50Ms} / ${win.journal.cutP50Ms} / ${win.journal.thawP50Ms} ms`,
              ),
            ]
          : []),
      ],
    ],
    ...(r.ui ? [uiSection(r.ui)] : []),
  ];
  const header: Row = { measure: 'measure', value: 'value', target: 'target', result: '' };
  const all = [header, ...sections.flatMap(([, rows]) => rows)];
  const w = {
    measure: Math.max(...all.map((x) => x.measure.length)),
    value: Math.max(...all.map((x) => x.value.length)),
    target: Math.max(...all.map((x) => x.target.length)),
  };
  const line = (x: Row) =>
    `  ${x.measure.padEnd(w.measure)}  ${x.value.padStart(w.value)}  ${x.target.padEnd(w.target)}  ${x.result}`.trimEnd();
  const out = [
    `Quiesce bench, ${r.machine.date}, ${r.machine.cores} cores`,
    '',
    line({ ...header, result: 'result' as Row['result'] }),
  ];
  for (const [title, rows] of sections) out.push('', title, ...rows.map(line));
  out.push('', 'Notes', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n') + '\n';
}
