import { randomUUID } from 'node:crypto';
import type { AppEvent } from '../../../shared/events';
import type { HostProfile } from '../../../shared/hosts';
import type {
  ExportEntry,
  ExportManifest,
  ExportRequest,
  ExportRestoreRequest,
  ExportRestoreResult,
  ExportSpace,
  ExportSummary,
  ExportVerification,
} from '../../../shared/export';
import { AppError } from '../app-error';
import { shellCommand } from '../shell/quote';
import { newOpId, readOperation, startOnHost } from '../snapshot/launch';
import type { SshConnection } from '../ssh/ssh-connection';
import { readExportLines, summarizeExport } from './export-journal';
import { restoreArgs, restorePlan, restoreRunAnswer } from './export-restore';
import { followRestoreRun, startRestoreRun } from './restore-runs';
import { exportDir, exportLaunchScript } from './export-launch';
import { readExportList, readExportSpace, readManifest, readVerification } from './export-readers';
import {
  exportCancelScript,
  exportListScript,
  exportPruneScript,
  exportRestoreCancelScript,
  exportRestoreScript,
  exportSpaceScript,
  exportVerifyScript,
} from './export-scripts';

export interface ExportsOptions {
  agentTimeoutS: number;
  workstation: string;
  user: string;
  /** Where a restore's progress goes (restore-progress events), when someone follows it. */
  emit?: (e: AppEvent) => void;
  /** Test-only: a restore's copy runs at this many bytes/s (restore-launch.ts, copyRate). */
  restoreCopyRate?: number;
}

/** The folder of one export: DEST/UUID/EXPORTID. */
export function exportFolder(dest: string, uuid: string, exportId: string): string {
  return `${dest.replace(/\/+$/, '')}/${uuid}/${exportId}`;
}

function hostFailure(what: string, r: { code: number | null; stderr: string }, remedy?: string) {
  return new AppError('host-command-failed', what, {
    cause: r.stderr.trim() || `exit status ${r.code}`,
    ...(remedy ? { remedy } : {}),
  });
}

/**
 * Consistent image exports (host-scripts/export-runner.sh does them on the host): launched like
 * a snapshot, followed from their journal (state lives on the host: an app restarted mid-export
 * reads the same), cancelled, listed for the history, verified, pruned.
 */
export class Exports {
  constructor(private readonly opts: ExportsOptions) {}

  /** The destination's free space, the most a full export takes, and whether QEMU can reach it. */
  async space(
    host: HostProfile,
    conn: SshConnection,
    uuid: string,
    dest: string,
  ): Promise<ExportSpace> {
    const r = await conn.exec(
      shellCommand(['sh', '-c', exportSpaceScript, 'sh', host.libvirtUri, uuid, dest]),
      { timeoutMs: 30_000 },
    );
    if (r.code !== 0) throw hostFailure('The destination could not be checked.', r);
    return readExportSpace(r.stdout);
  }

  async start(
    host: HostProfile,
    conn: SshConnection,
    uuid: string,
    req: ExportRequest & { maxFreezeS: number },
  ): Promise<{ opId: string }> {
    const opId = newOpId();
    const script = exportLaunchScript({
      op: opId,
      uri: host.libvirtUri,
      uuid,
      dest: req.dest,
      mode: req.mode,
      policy: req.policy,
      ...(req.snapshot ? { snapshot: req.snapshot } : {}),
      maxFreezeS: req.maxFreezeS,
      agentTimeoutS: this.opts.agentTimeoutS,
      workstation: this.opts.workstation,
      user: this.opts.user,
    });
    await startOnHost(conn, exportDir(host.hostDir), opId, script, 'The export runner');
    return { opId };
  }

  /** An export's phases, progress and outcome, from its journal on the host. */
  async get(host: HostProfile, conn: SshConnection, opId: string): Promise<ExportSummary> {
    const op = await readOperation(conn, exportDir(host.hostDir), opId);
    if (!op) throw new AppError('not-found', `No export ${opId} on this host.`);
    return summarizeExport(opId, readExportLines(op.journal), !op.alive);
  }

  /** Asks a running export to stop: the runner aborts libvirt's job and removes its files. */
  async cancel(host: HostProfile, conn: SshConnection, opId: string): Promise<void> {
    const r = await conn.exec(
      shellCommand(['sh', '-c', exportCancelScript, 'sh', exportDir(host.hostDir), opId]),
      { timeoutMs: 30_000 },
    );
    if (r.code === 3) throw new AppError('not-found', `No export ${opId} on this host.`);
    if (r.code === 4) throw new AppError('invalid-input', `The export ${opId} has already ended.`);
    if (r.code !== 0) throw hostFailure(`The export ${opId} could not be cancelled.`, r);
  }

  /**
   * Asks a restore from an export (either kind) to stop while it copies; its own call then
   * answers cancelled. Once copied it completes (export-restore-cancel.sh answers 4).
   */
  async cancelRestore(host: HostProfile, conn: SshConnection, restoreId: string): Promise<void> {
    const r = await conn.exec(
      shellCommand(['sh', '-c', exportRestoreCancelScript, 'sh', host.hostDir, restoreId]),
      { timeoutMs: 30_000 },
    );
    if (r.code === 3) {
      throw new AppError('not-found', 'That restore is not running on this host any more.');
    }
    if (r.code === 4) {
      throw new AppError(
        'invalid-input',
        'The restore has copied the disks and is finishing: it can no longer be cancelled.',
        { remedy: 'Wait for it to end; its answer says how it went.' },
      );
    }
    if (r.code !== 0) throw hostFailure('The restore could not be cancelled.', r);
  }

  /** The exports this host made (of one domain, or all), newest first. */
  async list(host: HostProfile, conn: SshConnection, uuid?: string): Promise<ExportEntry[]> {
    const r = await conn.exec(
      shellCommand(['sh', '-c', exportListScript, 'sh', exportDir(host.hostDir), uuid ?? '']),
      { timeoutMs: 30_000 },
    );
    if (r.code !== 0) throw hostFailure('The exports could not be listed.', r);
    return readExportList(r.stdout);
  }

  /** An export's manifest, read from the host. */
  async manifest(conn: SshConnection, folder: string): Promise<ExportManifest> {
    const r = await conn.exec(shellCommand(['cat', '--', `${folder}/manifest.json`]), {
      timeoutMs: 30_000,
    });
    if (r.code !== 0) {
      throw new AppError('not-found', `No complete export in ${folder}.`, {
        cause: r.stderr.trim(),
        remedy: 'An export without its manifest.json is not complete: export again.',
      });
    }
    return readManifest(r.stdout);
  }

  /** Checksums, `qemu-img check`, the backing chain, and every export the chain needs. */
  async verify(
    host: HostProfile,
    conn: SshConnection,
    folder: string,
  ): Promise<ExportVerification> {
    const m = await this.manifest(conn, folder);
    const args = m.disks.flatMap((d) => [d.target, d.file, d.sha256]);
    const r = await conn.exec(
      shellCommand([
        'sh',
        '-c',
        exportVerifyScript,
        'sh',
        exportDir(host.hostDir),
        folder,
        ...args,
      ]),
      { timeoutMs: 30 * 60_000 },
    );
    if (r.code !== 0) throw hostFailure(`The export in ${folder} could not be verified.`, r);
    return readVerification(r.stdout);
  }

  /**
   * Restores a complete export as a new domain (new name and UUID, no interface): each disk's
   * chain copied into one image in `req.folder`, defined in libvirt, started when asked.
   */
  async restore(
    host: HostProfile,
    conn: SshConnection,
    uuid: string,
    req: ExportRestoreRequest,
  ): Promise<ExportRestoreResult> {
    const folder = exportFolder(req.dest, uuid, req.exportId);
    const m = await this.manifest(conn, folder);
    const plan = restorePlan(m, { name: req.name, uuid: randomUUID(), folder: req.folder });
    // a detached host operation (restore-runner.sh): a dropped link loses only this call; the
    // restore goes on and export.restores finds it again
    const { opId } = await startRestoreRun(
      conn,
      host,
      {
        uri: host.libvirtUri,
        uuid,
        agentTimeoutS: this.opts.agentTimeoutS,
        workstation: this.opts.workstation,
        user: this.opts.user,
        kind: 'restore',
        exportId: req.exportId,
        restoreId: req.restoreId,
        name: req.name,
        start: req.start,
        ...(this.opts.restoreCopyRate ? { copyRate: this.opts.restoreCopyRate } : {}),
      },
      exportRestoreScript,
      restoreArgs(host.libvirtUri, folder, req.folder, plan, req.start),
    );
    const run = await followRestoreRun(conn, host, opId, this.opts.emit, {
      uuid,
      exportId: req.exportId,
    });
    return restoreRunAnswer(run, req.name, req.exportId);
  }

  /**
   * Retention: what keeping the newest `keep` full chains (or deleting one export and those
   * built on it) would delete, and, with `apply`, deletes it under the domain's lock.
   */
  async prune(
    host: HostProfile,
    conn: SshConnection,
    uuid: string,
    dest: string,
    opts: { keep: number; exportId?: string; apply: boolean },
  ): Promise<{ planned: string[]; deleted: string[]; kept: string[] }> {
    const r = await conn.exec(
      shellCommand([
        'sh',
        '-c',
        exportPruneScript,
        'sh',
        host.hostDir,
        host.libvirtUri,
        uuid,
        dest,
        String(opts.keep),
        opts.apply ? 'delete' : 'plan',
        opts.exportId ?? '',
      ]),
      { timeoutMs: 10 * 60_000 },
    );
    if (r.code === 75) {
      throw new AppError('host-command-failed', 'Another operation runs on this domain.', {
        remedy: 'Wait for it to finish and try again.',
      });
    }
    if (r.code !== 0) throw hostFailure('The exports could not be pruned.', r);
    const planned: string[] = [];
    const deleted: string[] = [];
    const kept: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const [act, id, ...why] = line.split(' ');
      if (!id) continue;
      if (act === 'delete') planned.push(id);
      else if (act === 'deleted') deleted.push(id);
      else if (act === 'kept') kept.push(`${id}: ${why.join(' ')}`);
    }
    return { planned, deleted, kept };
  }
}
