/**
 * Consistent image export (docs/export.md), measured on the lab through the app's services:
 *
 * - window ratio: the blocked-write window of a full export of a domain whose 1 GiB data disk
 *   holds 512 MiB of written, incompressible data, over the same with 64 MiB (medians of
 *   interleaved runs). The cut is a point in time, so it should not grow with the data (≤ 1.1);
 * - full export speed vs `qemu-img convert` of the same image on the same host (the floor an
 *   admin reaches by hand), both as MiB/s of the disk's virtual size, and their ratio (≥ 0.9);
 *   the export's time is its runner's, first journal line to last (freeze, copy, checksum and
 *   `qemu-img check` included), the convert's is one process, both on the host. Like with like:
 *   the same source image (the guest's disk, read through the host's page cache by both: the
 *   lab's disks set no cache mode, so QEMU's is writeback), the same destination folder, no
 *   cache dropped or warmed for either, and `sync` before each (so neither starts while the
 *   other's written data is still being flushed); a convert runs right after each full export of
 *   the big guest (interleaved, so a noisy machine slows both alike), the ratio is of the medians;
 * - an incremental export after 1 % of the blocks changed (10 MiB written in the guest): its
 *   time and its image's size over the full export's (each ≤ 0.1).
 *
 * Two transient clones of the lab's agent guest carry the data disks (test/support/export-guest.ts)
 * and are destroyed at the end with every file made; the lab's own guests are not touched.
 * Runs standalone too: `tsx bench/export-bench.ts` prints its JSON (the lab must be up).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { guestExec, readLabProfile, type LabProfile } from '../test/lab/lab.js';
import { exportDestination, exportGuest } from '../test/support/export-guest.js';
import { connectLabHost } from '../test/support/lab-session.js';
import { readExportLines } from '../electron/services/export/export-journal.js';
import type { Services } from './services.js';
import { BenchError, median, sleep, type Log } from './util.js';

export interface ExportBenchResult {
  runs: number;
  window512MiBP50Ms: number;
  window64MiBP50Ms: number;
  windowRatio1GiBvs64MiB: number;
  fullExportMs: number;
  fullExportMiBps: number;
  qemuImgConvertMs: number;
  qemuImgConvertMiBps: number;
  fullVsQemuImg: number;
  /** The copy alone (libvirt's job, after the thaw), for the note on where the time goes. */
  fullCopyMs: number;
  incrementalMs: number;
  incrementalBytes: number;
  fullBytes: number;
  incrementalTimeRatio: number;
  incrementalSizeRatio: number;
  notes: string[];
}

export const EXPORT_TARGETS = { windowRatio: 1.1, fullVsQemuImg: 0.9, incremental: 0.1 } as const;

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
const round2 = (x: number) => Math.round(x * 100) / 100;

interface Run {
  opId: string;
  windowMs: number;
  totalMs: number;
  copyMs: number;
  /** Where the runner's time went: "phase ms" for each phase, then the tail after the last. */
  phases: string;
  folder: string;
}

/** The runner's own times of one export, from its journal on the host (root reads it). */
function journalTimes(journal: string): { totalMs: number; copyMs: number; phases: string } {
  const lines = readExportLines(journal);
  const rt = lines.filter((l) => l.rt !== undefined).map((l) => l.rt!);
  const copy = lines.filter((l) => l.ev === 'phase' && l.phase === 'copy');
  const copyMs =
    copy.length >= 2 && copy[0]!.rt && copy.at(-1)!.rt
      ? (copy.at(-1)!.rt! - copy[0]!.rt!) / 1e6
      : 0;
  // each phase from its first line to its last (the lines inside the frozen window carry no rt)
  const spans = new Map<string, [number, number]>();
  for (const l of lines) {
    if (l.ev !== 'phase' || l.rt === undefined || !l.phase) continue;
    const s = spans.get(l.phase);
    spans.set(l.phase, s ? [s[0], l.rt] : [l.rt, l.rt]);
  }
  const last = Math.max(...[...spans.values()].map(([, e]) => e));
  const phases = [...spans.entries()]
    .map(([p, [b, e]]) => `${p} ${Math.round((e - b) / 1e6)}`)
    .concat(`after ${Math.round((Math.max(...rt) - last) / 1e6)}`)
    .join(', ');
  return { totalMs: (Math.max(...rt) - Math.min(...rt)) / 1e6, copyMs, phases };
}

export async function benchExport(
  svc: Services,
  profile: LabProfile,
  log: Log,
  opts: { runs: number },
): Promise<ExportBenchResult> {
  const agent = profile.guests.find((g) => g.role === 'agent');
  if (!agent) throw new BenchError('the lab profile names no agent guest');
  const uri = profile.libvirtUri;
  const cleanups: (() => void)[] = [];
  const notes: string[] = [];
  const h = svc.serviceHarness({ knownHosts: readFileSync(profile.knownHostsPath, 'utf8') });
  try {
    const hostId = await connectLabHost(h, profile);
    const home = execFileSync('sh', ['-c', 'getent passwd quiesce-lab | cut -d: -f6'], {
      encoding: 'utf8',
    }).trim();
    log('export: making two guests with 1 GiB data disks (512 MiB and 64 MiB written)');
    const big = await exportGuest(uri, agent.uuid, { diskMiB: 1024, filledMiB: 512 });
    cleanups.push(big.remove);
    const small = await exportGuest(uri, agent.uuid, { diskMiB: 1024, filledMiB: 64 });
    cleanups.push(small.remove);
    const dest = exportDestination('bench');
    cleanups.push(dest.remove);

    const exportOnce = async (uuid: string, mode: 'full' | 'incremental'): Promise<Run> => {
      execFileSync('sync');
      const { opId } = await h.call('export.start', { hostId, uuid, dest: dest.dir, mode });
      // read once a second, as the app reads a running export (renderer/export/use-exports.ts):
      // each reading is an SSH exec on the host, whose CPU the runner shares (the time measured
      // is the runner's own, from its journal, so how soon the end is seen does not count)
      for (const deadline = Date.now() + 600_000; ; await sleep(1000)) {
        const s = await h.call('export.get', { hostId, opId });
        if (s.state === 'running' && Date.now() < deadline) continue;
        if (s.state !== 'succeeded' || s.windowMs === null)
          throw new BenchError(`export ${opId} did not succeed: ${JSON.stringify(s)}`);
        const journal = readFileSync(
          join(home, '.quiesce', 'exports', 'ops', opId, 'journal.jsonl'),
          'utf8',
        );
        return {
          opId,
          windowMs: s.windowMs,
          ...journalTimes(journal),
          folder: join(dest.dir, uuid, opId),
        };
      }
    };
    /** Deletes an export (files and checkpoint), so every run is a full export of the same disk. */
    const drop = async (uuid: string, opId: string) => {
      await h.call('export.prune', {
        hostId,
        uuid,
        dest: dest.dir,
        keep: 1,
        exportId: opId,
        apply: true,
      });
    };

    // ---- window: interleaved full exports of the two guests; speed: each full export of the
    // big guest followed by `qemu-img convert` of its disk ----
    const windows: Record<'big' | 'small', number[]> = { big: [], small: [] };
    const fullBigMs: number[] = [];
    const convertsMs: number[] = [];
    const convertOut = join(dest.dir, 'qemu-img-convert.qcow2');
    const convert = () => {
      execFileSync('sync');
      const t0 = performance.now();
      // -U: the guest runs and QEMU holds the image's lock, as during the export
      execFileSync('qemu-img', ['convert', '-U', '-O', 'qcow2', big.disk, convertOut]);
      const ms = performance.now() - t0;
      rmSync(convertOut, { force: true });
      return ms;
    };
    let fullBig: Run | undefined;
    for (let i = 0; i < opts.runs; i++) {
      for (const [key, g] of (i % 2 === 0
        ? [
            ['big', big],
            ['small', small],
          ]
        : [
            ['small', small],
            ['big', big],
          ]) as ['big' | 'small', typeof big][]) {
        const r = await exportOnce(g.uuid, 'full');
        windows[key].push(r.windowMs);
        log(
          `export: full ${key} run ${i + 1}: window ${r.windowMs} ms, ${Math.round(r.totalMs)} ms in all`,
        );
        if (key === 'big') {
          fullBigMs.push(r.totalMs);
          convertsMs.push(convert());
          log(
            `export: full big run ${i + 1}: ${r.phases}; qemu-img convert ${Math.round(convertsMs.at(-1)!)} ms`,
          );
        }
        if (key === 'big' && i === opts.runs - 1) fullBig = r;
        else await drop(g.uuid, r.opId);
      }
    }
    const w512 = median(windows.big);
    const w64 = median(windows.small);

    // ---- speed: the full exports of the big guest against qemu-img convert of its disk ----
    const convertMs = median(convertsMs);
    const fullMs = median(fullBigMs);
    const full = fullBig!;

    // ---- incremental after 1 % of the blocks changed ----
    const w = await guestExec(
      big.name,
      '/bin/sh',
      ['-c', 'dd if=/dev/urandom of=/data/changed.bin bs=1048576 count=10 2>/dev/null; sync'],
      { timeoutMs: 120_000 },
    );
    if (w.exitcode !== 0) throw new BenchError(`writing 10 MiB in ${big.name} failed: ${w.stderr}`);
    const inc = await exportOnce(big.uuid, 'incremental');
    const fullBytes = statSync(join(full.folder, 'vda.qcow2')).size;
    const incBytes = statSync(join(inc.folder, 'vda.qcow2')).size;
    const mibps = (ms: number) => round2(GiB / MiB / (ms / 1000));
    const list = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
    notes.push(
      `export: full export of the 512 MiB guest took ${Math.round(fullMs)} ms on the host (median ` +
        `of ${list(fullBigMs)}); qemu-img convert of the same image right after each, ` +
        `${Math.round(convertMs)} ms (median of ${list(convertsMs)})`,
      `export: the last full export (${Math.round(full.totalMs)} ms, copy after the thaw ` +
        `${Math.round(full.copyMs)} ms), ms a phase: ${full.phases}`,
      `export: incremental export (${Math.round(inc.totalMs)} ms), ms a phase: ${inc.phases}`,
    );
    return {
      runs: opts.runs,
      window512MiBP50Ms: w512,
      window64MiBP50Ms: w64,
      windowRatio1GiBvs64MiB: round2(w512 / w64),
      fullExportMs: Math.round(fullMs),
      fullExportMiBps: mibps(fullMs),
      qemuImgConvertMs: Math.round(convertMs),
      qemuImgConvertMiBps: mibps(convertMs),
      fullVsQemuImg: round2(convertMs / fullMs),
      fullCopyMs: Math.round(full.copyMs),
      incrementalMs: Math.round(inc.totalMs),
      incrementalBytes: incBytes,
      fullBytes,
      incrementalTimeRatio: round2(inc.totalMs / fullMs),
      incrementalSizeRatio: round2(incBytes / fullBytes),
      notes,
    };
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        c();
      } catch (err) {
        log(`export: clean-up: ${(err as Error).message}`);
      }
    }
    h.dispose();
  }
}

/** The keys added to `npm run bench -- --json` (existing keys unchanged). */
export function exportJson(r: ExportBenchResult): Omit<ExportBenchResult, 'notes'> {
  return Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'notes')) as Omit<
    ExportBenchResult,
    'notes'
  >;
}

/** The table rows of the export measures, in the bench table's style. */
export function exportTable(r: ExportBenchResult): string {
  const row = (measure: string, value: string, target = '', ok?: boolean) =>
    `  ${measure.padEnd(58)} ${value.padStart(12)}  ${target.padEnd(8)} ${ok === undefined ? '' : ok ? 'PASS' : 'FAIL'}\n`;
  return (
    '\nexport (1 GiB data disk)\n' +
    row(
      'window 512 MiB written / 64 MiB written (p50)',
      r.windowRatio1GiBvs64MiB.toFixed(2),
      `<= ${EXPORT_TARGETS.windowRatio}`,
      r.windowRatio1GiBvs64MiB <= EXPORT_TARGETS.windowRatio,
    ) +
    row('  window p50, 512 MiB / 64 MiB', `${r.window512MiBP50Ms} / ${r.window64MiBP50Ms} ms`) +
    row(
      'full export speed / qemu-img convert speed',
      r.fullVsQemuImg.toFixed(2),
      `>= ${EXPORT_TARGETS.fullVsQemuImg}`,
      r.fullVsQemuImg >= EXPORT_TARGETS.fullVsQemuImg,
    ) +
    row(
      '  full export, qemu-img convert (MiB/s of 1 GiB)',
      `${r.fullExportMiBps} / ${r.qemuImgConvertMiBps}`,
    ) +
    row(
      'incremental (1 % changed) time / full time',
      r.incrementalTimeRatio.toFixed(2),
      `<= ${EXPORT_TARGETS.incremental}`,
      r.incrementalTimeRatio <= EXPORT_TARGETS.incremental,
    ) +
    row(
      'incremental size / full size',
      r.incrementalSizeRatio.toFixed(2),
      `<= ${EXPORT_TARGETS.incremental}`,
      r.incrementalSizeRatio <= EXPORT_TARGETS.incremental,
    ) +
    r.notes.map((n) => `  note: ${n}\n`).join('')
  );
}

// standalone: `tsx bench/export-bench.ts` (the lab up; one bench at a time)
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { loadServices } = await import('./services.js');
  const { log } = await import('./util.js');
  const r = await benchExport(await loadServices(), readLabProfile(), log, { runs: 5 });
  process.stderr.write(exportTable(r));
  process.stdout.write(JSON.stringify({ export: exportJson(r) }) + '\n');
}
