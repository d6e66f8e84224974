import type { MethodOutput } from '../../shared/contract';
import type {
  ExportEntry,
  ExportProgress,
  ExportSpace,
  ExportSummary,
  ExportVerification,
} from '../../shared/export';
import { duration, size, table } from './format';

/** What `quiesce export …` prints for people. Pure. */

/** `copied 1.2 GiB of 4.0 GiB (30 %), 80.0 MiB/s, about 36 s left`; whole percents only. */
export function exportProgressText(p: ExportProgress | null): string | null {
  if (!p || p.total <= 0) return null;
  const percent = Math.floor((p.done / p.total) * 100);
  return `copied ${size(p.done)} of ${size(p.total)} (${percent} %)${
    p.rate > 0 ? `, ${size(p.rate)}/s` : ''
  }${p.etaS !== null ? `, about ${Math.round(p.etaS)} s left` : ''}`;
}

export function exportSummaryText(r: ExportSummary): string {
  const what =
    r.consistency?.label === 'quiesced'
      ? `quiesced (${r.consistency.filesystems} filesystem${r.consistency.filesystems === 1 ? '' : 's'})`
      : r.consistency?.label === 'crash-consistent'
        ? `crash-consistent (${r.consistency.reason})`
        : '';
  const lines = [
    `Export ${r.opId}: ${r.state}${r.mode ? `, ${r.mode}` : ''}${what ? `, ${what}` : ''}${r.cancelled ? ' (cancelled)' : ''}`,
  ];
  if (r.fullReason) lines.push(`  full because: ${r.fullReason}`);
  if (r.windowMs !== null) lines.push(`  blocked writes: ${duration(r.windowMs)}`);
  if (r.folder) lines.push(`  in ${r.folder}`);
  if (r.failedPhase) lines.push(`  failed at ${r.failedPhase}${r.message ? `: ${r.message}` : ''}`);
  else if (r.message) lines.push(`  ${r.message}`);
  if (r.watchdog) lines.push(`  watchdog: ${r.watchdog}`);
  return lines.join('\n');
}

export function exportSpaceText(r: ExportSpace): string {
  return [
    `free ${size(r.freeBytes)}; a full export takes at most ${size(r.fullBytes)}; ${r.writable ? 'writable' : 'NOT writable'}`,
    ...(r.problem ? [r.problem] : []),
  ].join('\n');
}

export function exportsText(list: readonly ExportEntry[]): string {
  if (list.length === 0) return 'No exports.';
  return table([
    ['ID', 'FINISHED', 'MODE', 'LABEL', 'SIZE', 'STATE', 'VERIFIED', 'FOLDER'],
    ...list.map((e) => [
      e.exportId,
      e.finishedAt ?? '—',
      e.mode,
      e.label ?? '—',
      size(e.bytes),
      !e.present ? 'gone' : e.ok ? 'complete' : 'incomplete',
      e.verification,
      e.folder,
    ]),
  ]);
}

export function exportVerificationText(id: string, r: ExportVerification): string {
  return [
    `Export ${id}: ${r.ok ? 'verified' : 'NOT verified'}`,
    ...r.disks.map(
      (d) =>
        `  ${d.target}: checksum ${d.sha256}, qemu-img check ${d.check}, chain ${d.chain}${d.detail ? ` (${d.detail})` : ''}`,
    ),
    ...r.chain.map((c) => `  needs ${c.exportId}: ${c.present ? 'present' : 'MISSING'}`),
    ...r.problems.map((p) => `  ${p}`),
  ].join('\n');
}

export function exportPruneText(r: MethodOutput<'export.prune'>, applied: boolean): string {
  const gone = applied ? r.deleted : r.planned;
  return [
    gone.length === 0
      ? 'Nothing to delete.'
      : `${applied ? 'Deleted' : 'Would delete (run with --apply)'}: ${gone.join(', ')}`,
    ...(r.kept.length ? [`Kept: ${r.kept.join(', ')}`] : []),
  ].join('\n');
}
