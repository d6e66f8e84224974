import type { HostProfile } from '../../../shared/hosts';
import type { Handlers } from '../quiesce-service';
import type { SshConnection } from '../ssh/ssh-connection';
import { rm } from 'node:fs/promises';
import { copyExport, localSink, sftpSink, stagingFolder } from './export-copy';
import { exportFolder, Exports, type ExportsOptions } from './exports';

type ExportMethods =
  | 'export.space'
  | 'export.start'
  | 'export.get'
  | 'export.cancel'
  | 'export.list'
  | 'export.verify'
  | 'export.prune'
  | 'export.copy'
  | 'export.restore';

/** The export methods of the contract, over a host's connection (`target` fails when not connected). */
export function exportHandlers(
  target: (hostId: string) => Promise<{ host: HostProfile; conn: SshConnection }>,
  opts: ExportsOptions & { maxFreezeS: () => Promise<number> },
): Pick<Handlers, ExportMethods> {
  const exports = new Exports(opts);
  return {
    'export.space': async ({ hostId, uuid, dest }) => {
      const { host, conn } = await target(hostId);
      return exports.space(host, conn, uuid, dest);
    },
    'export.start': async ({ hostId, uuid, dest, mode, policy, maxFreezeS }) => {
      const { host, conn } = await target(hostId);
      return exports.start(host, conn, uuid, {
        dest,
        mode,
        policy,
        maxFreezeS: maxFreezeS ?? (await opts.maxFreezeS()),
      });
    },
    'export.get': async ({ hostId, opId }) => {
      const { host, conn } = await target(hostId);
      return exports.get(host, conn, opId);
    },
    'export.cancel': async ({ hostId, opId }) => {
      const { host, conn } = await target(hostId);
      await exports.cancel(host, conn, opId);
      return {};
    },
    'export.list': async ({ hostId, uuid }) => {
      const { host, conn } = await target(hostId);
      return { exports: await exports.list(host, conn, uuid) };
    },
    'export.verify': async ({ hostId, uuid, dest, exportId }) => {
      const { host, conn } = await target(hostId);
      return exports.verify(host, conn, exportFolder(dest, uuid, exportId));
    },
    'export.prune': async ({ hostId, uuid, dest, keep, exportId, apply }) => {
      const { host, conn } = await target(hostId);
      return exports.prune(host, conn, uuid, dest, {
        keep,
        apply,
        ...(exportId ? { exportId } : {}),
      });
    },
    'export.restore': async ({ hostId, uuid, ...req }) => {
      const { host, conn } = await target(hostId);
      return exports.restore(host, conn, uuid, req);
    },
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
