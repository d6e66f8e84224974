import type {
  ExportRestoreOriginalRequest,
  ExportRestoreOriginalResult,
} from '../../../shared/export';
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
import { restoreRunUnfinished } from './export-restore';
import { exportFolder, Exports, type ExportsOptions } from './exports';
import { followRestoreRun, startRestoreRun } from './restore-runs';

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
  opts: Pick<ExportsOptions, 'agentTimeoutS' | 'workstation' | 'user' | 'emit' | 'restoreCopyRate'>,
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
  const preview = (out: ReturnType<typeof readOriginalOutput>) =>
    originalPreview(plan, out, {
      stamp,
      exportId: req.exportId,
      stopTimeoutS: req.stopTimeoutS,
      allowForce: req.allowForce,
    });
  if (!req.apply) {
    // the check only looks: inside the call
    const r = await conn.exec(
      shellCommand(['sh', '-c', exportRestoreOriginalScript, 'sh', ...args(false)]),
      {
        timeoutMs: 5 * 60_000,
      },
    );
    if (r.code !== 0) throw originalFailure(r.code, r.stderr, req.exportId);
    return { preview: preview(readOriginalOutput(r.stdout)), applied: null };
  }
  // the apply (copy, stop, switch, start) is a detached host operation (restore-runner.sh): a
  // dropped link loses only this call; the restore finishes or rolls back, and export.restores
  // finds it again
  const { opId } = await startRestoreRun(
    conn,
    host,
    {
      uri: host.libvirtUri,
      uuid,
      agentTimeoutS: opts.agentTimeoutS,
      workstation: opts.workstation,
      user: opts.user,
      kind: 'restore-original',
      exportId: req.exportId,
      restoreId: req.restoreId,
      name: '',
      start: false,
      ...(opts.restoreCopyRate ? { copyRate: opts.restoreCopyRate } : {}),
    },
    exportRestoreOriginalScript,
    args(true),
  );
  const run = await followRestoreRun(conn, host, opId, opts.emit, {
    uuid,
    exportId: req.exportId,
  });
  if (run.state === 'running' || run.state === 'lost' || run.code === null) {
    throw restoreRunUnfinished(run);
  }
  // cancelled during the copy (nothing changed): its checks' lines were printed before it
  if (!run.cancelled && run.code !== 0) {
    throw originalFailure(run.code, run.message ?? '', req.exportId);
  }
  const out = readOriginalOutput(run.output.join('\n'));
  if (run.cancelled) return { preview: preview(out), applied: null, cancelled: true };
  return { preview: preview(out), applied: originalApplied(plan, out) };
}

/** The contract's `export.restoreOriginal`, over a host's connection. */
export function exportRestoreOriginalHandlers(
  target: HostTarget,
  opts: ExportsOptions,
): Pick<Handlers, 'export.restoreOriginal'> {
  const exports = new Exports(opts);
  return {
    'export.restoreOriginal': onHost(target, (host, conn, { hostId: _, uuid, ...req }) =>
      restoreOriginal(exports, host, conn, uuid, req, opts),
    ),
  };
}
