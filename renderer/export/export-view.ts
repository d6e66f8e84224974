import type { ExportEntry, ExportSpace, ExportSummary } from '../../shared/export';

/**
 * Pure wording of the export views (no React): sizes, progress, the space check's verdict, an
 * export's state in one line.
 */

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

export function formatEta(s: number | null): string {
  if (s === null) return 'unknown';
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The space check, as a verdict the dialog shows before it lets the export start. */
export function spaceVerdict(
  s: ExportSpace,
  mode: 'full' | 'incremental',
): { ok: boolean; text: string } {
  if (s.problem) return { ok: false, text: s.problem };
  if (!s.writable)
    return { ok: false, text: 'The SSH user cannot write to this folder (or it does not exist).' };
  const free = `${formatBytes(s.freeBytes)} free`;
  if (s.freeBytes < s.fullBytes) {
    return mode === 'full'
      ? {
          ok: false,
          text: `${free}; a full export may take up to ${formatBytes(s.fullBytes)} (the disks’ size).`,
        }
      : {
          ok: true,
          text: `${free}: enough for an incremental export if few blocks changed (the host checks the changed size before it starts); a full one may take up to ${formatBytes(s.fullBytes)}.`,
        };
  }
  return { ok: true, text: `${free}; a full export takes at most ${formatBytes(s.fullBytes)}.` };
}

/** Bytes done of total with the rate and ETA, or the phase while there is no copy yet. */
export function progressText(s: ExportSummary): string {
  const p = s.progress;
  const now = s.phases.findLast((x) => x.status === 'running')?.phase;
  if (p && (now === 'verify' || now === 'manifest')) {
    return `${formatBytes(p.total)} copied; checking the images (qemu-img check, sha256) and writing the manifest…`;
  }
  if (!p) return now ? `${now}…` : 'starting…';
  return bytesProgressText(p);
}

/** Bytes done of total, the percentage, the rate and the ETA: an export's or a restored disk's. */
export function bytesProgressText(p: {
  done: number;
  total: number;
  rate: number;
  etaS: number | null;
}): string {
  const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 0;
  return `${formatBytes(p.done)} of ${formatBytes(p.total)} (${pct} %) · ${formatBytes(p.rate)}/s · ETA ${formatEta(p.etaS)}`;
}

/** An export's outcome in one sentence. */
export function outcomeText(s: ExportSummary): string {
  if (s.state === 'running') return progressText(s);
  if (s.state === 'lost') return s.message ?? 'The export stopped without an outcome.';
  if (s.state === 'failed') {
    if (s.cancelled) return 'Cancelled: the partial files were removed.';
    return `Failed at “${s.failedPhase ?? '?'}”: ${s.message ?? 'no reason given'}`;
  }
  const c = s.consistency;
  const label =
    c?.label === 'quiesced'
      ? `quiesced (${c.filesystems} filesystem${c.filesystems === 1 ? '' : 's'})`
      : `crash-consistent (${c?.reason ?? 'no freeze'})`;
  const why =
    s.fullReason && s.modeAsked === 'incremental' ? ` (not incremental: ${s.fullReason})` : '';
  return `Exported ${s.mode ?? ''}${why}: ${label}, blocked writes for ${s.windowMs ?? '?'} ms, in ${s.folder ?? s.dest}.`;
}

/** An export of the history, as its row says it. */
export function entryText(e: ExportEntry): string {
  const what = `${e.mode}${e.parent ? ` on ${e.parent.slice(0, 16)}` : ''}`;
  const size = e.bytes !== null ? `, ${formatBytes(e.bytes)} copied` : '';
  const state = !e.ok
    ? 'failed'
    : !e.present
      ? 'gone from the destination'
      : e.verification === 'ok'
        ? 'verified'
        : e.verification === 'failed'
          ? 'verification FAILED'
          : 'not verified';
  return `${what}${size} — ${state}`;
}
