import type {
  ExportRestoreOriginalRequest,
  ExportRestoreOriginalResult,
} from '../../../shared/export';
import type { AppEvent } from '../../../shared/events';
import type { HostProfile } from '../../../shared/hosts';
import { onHost, type HostTarget } from '../host-target';
import type { Handlers } from '../quiesce-service';
import { shellCommand } from '../shell/quote';
import { newOpId } from '../snapshot/launch';
import type { SshConnection } from '../ssh/ssh-connection';
import { runVirsh } from '../virsh/run-virsh';
import {
  originalApplied,
  originalArgs,
  originalFailure,
  originalPlan,
  originalPreview,
  readOriginalOutput,
} from './export-restore-original';
import { exportRestoreOriginalScript } from './export-restore-original-script';
import { RESTORE_CANCELLED, restoreCommand } from './export-restore';
import { exportFolder, Exports, type ExportsOptions } from './exports';
import { restoreProgressEvents } from './restore-progress';

/**
 * Restore from an export over the domain it was taken of (docs/export.md, "Restore over the
 * original"): planned from the manifest and the domain's persistent definition read now, checked
 * by the host script without `apply` (the confirmation shows that), done by it with `apply`.
 */
export async function restoreOriginal(
  exports: Pick<Exports, 'manifest'>,
  host: HostProfile,
  conn: SshConnection,
  uuid: string,
  req: ExportRestoreOriginalRequest,
  emit?: (e: AppEvent) => void,
): Promise<ExportRestoreOriginalResult> {
  const folder = exportFolder(req.dest, uuid, req.exportId);
  const [m, definition] = await Promise.all([
    exports.manifest(conn, folder),
    runVirsh(
      conn,
      host.libvirtUri,
      ['dumpxml', '--domain', uuid, '--inactive', '--security-info'],
      60_000,
    ),
  ]);
  const stamp = req.stamp ?? newOpId();
  const plan = originalPlan(m, definition, { folder: req.folder, stamp });
  const args = (apply: boolean) =>
    originalArgs(
      {
        hostDir: host.hostDir,
        uri: host.libvirtUri,
        uuid,
        exportFolder: folder,
        folder: req.folder,
        apply,
        stopTimeoutS: req.stopTimeoutS,
        allowForce: req.allowForce,
      },
      plan,
    );
  const run = async (apply: boolean) => {
    const r = await conn.exec(
      shellCommand(
        restoreCommand(exportRestoreOriginalScript, args(apply), {
          hostDir: host.hostDir,
          restoreId: apply ? req.restoreId : undefined,
        }),
      ),
      // the copy (qemu-img convert) and the guest's stop run inside the call; the copy's
      // progress lines become restore-progress events
      {
        timeoutMs: apply ? 6 * 60 * 60_000 : 5 * 60_000,
        onLine: restoreProgressEvents(emit, {
          hostId: host.id,
          uuid,
          exportId: req.exportId,
        }),
      },
    );
    // cancelled during the copy (nothing changed): its checks' lines were printed before it
    const cancelled = apply && r.code === RESTORE_CANCELLED;
    if (r.code !== 0 && !cancelled) throw originalFailure(r.code, r.stderr, req.exportId);
    return { out: readOriginalOutput(r.stdout), cancelled };
  };
  const { out, cancelled } = await run(req.apply);
  const preview = originalPreview(plan, out, {
    stamp,
    exportId: req.exportId,
    stopTimeoutS: req.stopTimeoutS,
    allowForce: req.allowForce,
  });
  if (cancelled) return { preview, applied: null, cancelled: true };
  return { preview, applied: req.apply ? originalApplied(plan, out) : null };
}

/** The contract's `export.restoreOriginal`, over a host's connection. */
export function exportRestoreOriginalHandlers(
  target: HostTarget,
  opts: ExportsOptions,
): Pick<Handlers, 'export.restoreOriginal'> {
  const exports = new Exports(opts);
  return {
    'export.restoreOriginal': onHost(target, (host, conn, { hostId: _, uuid, ...req }) =>
      restoreOriginal(exports, host, conn, uuid, req, opts.emit),
    ),
  };
}
