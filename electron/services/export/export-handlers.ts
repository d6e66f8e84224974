import type { HostProfile } from '../../../shared/hosts';
import type { Handlers } from '../quiesce-service';
import type { SshConnection } from '../ssh/ssh-connection';
import { rm } from 'node:fs/promises';
import { copyExport, localSink, sftpSink, stagingFolder } from './export-copy';
import { exportFolder, Exports, type ExportsOptions } from './exports';
import { onHost, type HostTarget } from '../host-target';
import { getRestoreRun, listRestoreRuns } from './restore-runs';

type ExportMethods =
  | 'export.space'
  | 'export.start'
  | 'export.get'
  | 'export.cancel'
  | 'export.list'
  | 'export.verify'
  | 'export.prune'
  | 'export.copy'
  | 'export.restore'
  | 'export.restoreCancel'
  | 'export.restoreGet'
  | 'export.restores';

/** The export methods of the contract, over a host's connection (`target` fails when not connected). */
export function exportHandlers(
  target: HostTarget,
  opts: ExportsOptions & { maxFreezeS: () => Promise<number> },
): Pick<Handlers, ExportMethods> {
  const exports = new Exports(opts);
  const on = <I extends { hostId: string }, O>(
    fn: (host: HostProfile, conn: SshConnection, input: I) => Promise<O>,
  ) => onHost(target, fn);
  return {
    'export.space': on((host, conn, { uuid, dest }) => exports.space(host, conn, uuid, dest)),
    'export.start': on(async (host, conn, { uuid, dest, mode, policy, snapshot, maxFreezeS }) =>
      exports.start(host, conn, uuid, {
        dest,
        mode,
        policy,
        ...(snapshot ? { snapshot } : {}),
        maxFreezeS: maxFreezeS ?? (await opts.maxFreezeS()),
      }),
    ),
    'export.get': on((host, conn, { opId }) => exports.get(host, conn, opId)),
    'export.cancel': on(async (host, conn, { opId }) => {
      await exports.cancel(host, conn, opId);
      return {};
    }),
    'export.list': on(async (host, conn, { uuid }) => ({
      exports: await exports.list(host, conn, uuid),
    })),
    'export.verify': on((host, conn, { uuid, dest, exportId }) =>
      exports.verify(host, conn, exportFolder(dest, uuid, exportId)),
    ),
    'export.prune': on((host, conn, { uuid, dest, keep, exportId, apply }) =>
      exports.prune(host, conn, uuid, dest, { keep, apply, ...(exportId ? { exportId } : {}) }),
    ),
    'export.restore': on((host, conn, { hostId: _, uuid, ...req }) =>
      exports.restore(host, conn, uuid, req),
    ),
    'export.restoreCancel': on(async (host, conn, { restoreId }) => {
      await exports.cancelRestore(host, conn, restoreId);
      return {};
    }),
    'export.restoreGet': on((host, conn, { opId }) => getRestoreRun(conn, host, opId)),
    'export.restores': on(async (host, conn, { uuid }) => ({
      restores: await listRestoreRuns(conn, host, uuid),
    })),
    'export.copy': async ({ hostId, uuid, dest, exportId, to }) => {
      const { conn } = await target(hostId);
      const src = await conn.sftp();
      const other = to.kind === 'host' ? await target(to.hostId) : undefined;
      const dst = other ? await other.conn.sftp() : undefined;
      try {
        const sink =
          to.kind === 'host' && dst && other
            ? sftpSink(dst, to.folder, `${to.folder} on ${other.host.name}`)
            : localSink(to.folder);
        // on the workstation, beside the target (a rename then moves each image in place)
        const staging = await stagingFolder(to.kind === 'workstation' ? to.folder : undefined);
        try {
          const r = await copyExport(src, dest, uuid, exportId, sink, staging);
          return { ...r, to: sink.label };
        } finally {
          await rm(staging, { recursive: true, force: true });
        }
      } finally {
        src.end();
        dst?.end();
      }
    },
  };
}
