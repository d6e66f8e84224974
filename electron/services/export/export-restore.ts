import type { ExportManifest, ExportRestoreResult } from '../../../shared/export';
import type { RestoreRun } from '../../../shared/export-restore-run';
import { AppError } from '../app-error';
import { cloneXml } from '../revert/restore-test-plan';

/**
 * Restore from an export as a new domain (docs/export.md, "Restore from an export"): what the
 * host script (host-scripts/export-restore.sh) is told to do, worked out here from the manifest,
 * pure. The definition is the domain's own (same CPU, memory, boot) under a new name and UUID,
 * with the restore test's rules for a clone (restore-test-plan.ts): no interface, no host device
 * or shared folder, no file-backed console; each exported disk points at its restored image;
 * a writable disk the export did not carry is left out.
 */
export interface RestorePlan {
  /** TARGET, the export's file, the new image: the script's arguments after the definition. */
  disks: { target: string; file: string; image: string }[];
  xml: string;
}

export function restorePlan(
  m: ExportManifest,
  opts: { name: string; uuid: string; folder: string },
): RestorePlan {
  const folder = opts.folder.replace(/\/+$/, '') || '/';
  const disks = m.disks.map((d) => ({
    target: d.target,
    file: d.file,
    image: `${folder === '/' ? '' : folder}/${opts.name}-${d.target}.qcow2`,
  }));
  const xml = cloneXml(
    m.domain.xml,
    disks.map((d) => ({
      target: d.target,
      frozen: d.image,
      format: 'qcow2',
      current: d.image,
      overlay: d.image,
    })),
    opts.name,
    opts.uuid,
  );
  return { disks, xml };
}

/** The script's arguments after the script itself. */
export function restoreArgs(
  uri: string,
  exportFolder: string,
  folder: string,
  plan: RestorePlan,
  start: boolean,
): string[] {
  return [
    uri,
    exportFolder,
    folder.replace(/\/+$/, '') || '/',
    Buffer.from(plan.xml, 'utf8').toString('base64'),
    start ? '1' : '0',
    ...plan.disks.flatMap((d) => [d.target, d.file, d.image]),
  ];
}

/** The script's output: "disk TARGET IMAGE" lines, "defined UUID", "started". */
export function readRestoreOutput(stdout: string, name: string): ExportRestoreResult {
  const disks: ExportRestoreResult['disks'] = [];
  let uuid = '';
  let started = false;
  for (const line of stdout.split('\n')) {
    const [word, first, ...rest] = line.split(' ');
    if (word === 'disk' && first) disks.push({ target: first, image: rest.join(' ') });
    else if (word === 'defined' && first) uuid = first;
    else if (word === 'started') started = true;
  }
  if (!uuid) throw new Error(`the restore script said nothing of a defined domain: ${stdout}`);
  return { uuid, name, disks, started };
}

/**
 * Why a restore's call has no answer although the restore may go on: the app stopped following
 * its journal before the end line (the link dropped), or its runner stopped before an outcome.
 */
export function restoreRunUnfinished(run: RestoreRun): AppError {
  if (run.state === 'lost') {
    return new AppError('host-command-failed', 'The restore stopped before it said how it went.', {
      cause: run.message ?? '',
      remedy: 'Look at the domain and at the folder of the restored images on the host.',
    });
  }
  return new AppError(
    'host-command-failed',
    'The app lost sight of the restore: it goes on on the host.',
    {
      remedy:
        'Reconnect: the export’s Restores list follows it, shows its outcome and can cancel it while it copies.',
    },
  );
}

/**
 * A new-domain restore's answer from its journal (restore-runner.sh, restore-journal.ts), as the
 * call answered when the script ran inside it: cancelled during the copy, refused before it
 * (65–67, with what to do), failed, or the domain it made. Pure.
 */
export function restoreRunAnswer(
  run: RestoreRun,
  name: string,
  exportId: string,
): ExportRestoreResult {
  if (run.state === 'running' || run.state === 'lost' || run.code === null) {
    throw restoreRunUnfinished(run);
  }
  if (run.cancelled) return { uuid: '', name, disks: [], started: false, cancelled: true };
  const why = run.message ?? '';
  if (run.code === 65 || run.code === 66 || run.code === 67) {
    throw new AppError('invalid-input', why || `The restore was refused (${run.code}).`, {
      remedy:
        run.code === 67
          ? 'Choose a folder with more room.'
          : 'Choose an empty folder this host user can write to, or another name.',
    });
  }
  if (run.code !== 0) {
    throw new AppError('host-command-failed', `The export ${exportId} could not be restored.`, {
      cause: why || `exit status ${run.code}`,
    });
  }
  return readRestoreOutput(run.output.join('\n'), name);
}
