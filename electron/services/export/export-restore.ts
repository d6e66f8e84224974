import type { ExportManifest, ExportRestoreResult } from '../../../shared/export';
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

/**
 * The command of a restore script (either kind) with its arguments: with a restore id, run with
 * RESTORE_CANCEL=HOSTDIR/restores/ID, the folder export-restore-cancel.sh writes the cancel into
 * (restore-lib.sh honours it only while copying; exit 76, RESTORE_CANCELLED).
 */
export function restoreCommand(
  script: string,
  args: string[],
  cancel?: { hostDir: string; restoreId: string | undefined },
): string[] {
  const env = cancel?.restoreId
    ? ['env', `RESTORE_CANCEL=${cancel.hostDir.replace(/\/+$/, '')}/restores/${cancel.restoreId}`]
    : [];
  return [...env, 'sh', '-c', script, 'sh', ...args];
}
/** A restore script's exit status when cancelled during its copy: nothing was left. */
export const RESTORE_CANCELLED = 76;

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
