import type { RestoreRun } from '../../shared/export-restore-run';

/**
 * A restore from an export as the host's journal tells it (export.restores, export.restoreGet),
 * in words: where it stands while it runs, and what it came to once it ended. Pure.
 */

/** What it is: "as NAME" (a new domain) or "over DOMAIN", and from which export. */
export function restoreRunTitle(r: RestoreRun, domain: string): string {
  return `${r.kind === 'restore-original' ? `over ${domain}` : `as ${r.name}`} from export ${r.exportId}`;
}

/** A running restore's step past its copy (the copy shows as progress bars). */
export function restoreRunStep(r: RestoreRun): string {
  const open = r.phases.findLast((p) => p.status === 'running')?.phase;
  switch (open) {
    case 'check':
      return 'Checking the export and the room on the host…';
    case 'copy':
      return 'Copying…';
    case 'define':
      return 'Copied. Defining the new domain…';
    case 'stop':
      return 'Copied. Stopping the guest…';
    case 'switch':
      return 'Switching its disks to the restored images…';
    case 'start':
      return 'Starting it…';
    default:
      return r.copied ? 'Copied. Finishing…' : 'Starting the restore…';
  }
}

/** An ended restore's outcome; undefined while it runs. */
export function restoreRunOutcome(
  r: RestoreRun,
  domain: string,
): { ok: boolean; text: string } | undefined {
  if (r.state === 'running') return undefined;
  const images = r.images.map((i) => i.image).join(', ');
  if (r.state === 'succeeded') {
    const started = r.phases.some((p) => p.phase === 'start' && p.status === 'done');
    return {
      ok: true,
      text:
        r.kind === 'restore-original'
          ? `${domain} now runs on ${images}${started ? ' (started again)' : ''}; its old images are kept.`
          : `Defined ${r.name} with ${r.images.length} disk${r.images.length === 1 ? '' : 's'} (${images}), no network interface${started ? '; started' : ''}.`,
    };
  }
  if (r.cancelled) {
    return {
      ok: true,
      text:
        r.kind === 'restore-original'
          ? `Cancelled during the copy: ${domain} is as it was, no new image left.`
          : 'Cancelled during the copy: no image was left and no domain defined.',
    };
  }
  if (r.state === 'lost') return { ok: false, text: r.message ?? 'The restore stopped.' };
  return {
    ok: false,
    text: `Failed${r.failedPhase ? ` at ${r.failedPhase}` : ''}: ${r.message ?? `exit status ${r.code}`}`,
  };
}
