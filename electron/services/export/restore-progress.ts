import { RestoreDiskProgressSchema, type RestoreDiskProgress } from '../../../shared/export';

/**
 * The progress of a restore from an export, as both restore scripts print it while a disk's
 * chain is copied (restore-lib.sh, restore_disk_copy): "progress TARGET DONE TOTAL RATE ETA",
 * bytes, bytes/s and seconds (ETA -1: unknown). Read here once for export.restore and
 * export.restoreOriginal.
 */
const LINE = /^progress ([A-Za-z0-9]+) (\d+) (\d+) (\d+) (-1|\d+)$/;

/** One progress line of a restore script, or undefined for any other line. */
export function readRestoreProgress(line: string): RestoreDiskProgress | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const eta = Number(m[5]);
  const p = RestoreDiskProgressSchema.safeParse({
    target: m[1],
    done: Number(m[2]),
    total: Number(m[3]),
    rate: Number(m[4]),
    etaS: eta < 0 ? null : eta,
  });
  return p.success ? p.data : undefined;
}
