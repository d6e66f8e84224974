import type { AppEvent } from '../../../shared/events';
import type { RestoreRun } from '../../../shared/export-restore-run';
import type { HostProfile } from '../../../shared/hosts';
import { AppError } from '../app-error';
import followJournalScript from '../host-scripts/follow-journal.sh?raw';
import listScript from '../host-scripts/operations-list.sh?raw';
import { followCommand } from '../shell/follow';
import { shellCommand } from '../shell/quote';
import { readOperation, startOperation } from '../snapshot/launch';
import { splitOperationListing } from '../snapshot/operation-listing';
import type { SshConnection } from '../ssh/ssh-connection';
import { readRestoreLines, restoreDiskOf, summarizeRestore } from './restore-journal';
import { restoreDir, restoreLaunchScript, type RestoreRunArgs } from './restore-launch';

/**
 * Restores from an export as detached host operations (docs/export.md, "A restore as a host
 * operation"): started with the other runners' launcher, followed from their journal (the
 * journal's progress lines become restore-progress events), read and listed again after a
 * reconnect. Cancelled as before, by their restore id (export.restoreCancel).
 */

/** Starts one restore on the host; RESTOREID defaults to the operation's id. */
export async function startRestoreRun(
  conn: SshConnection,
  host: HostProfile,
  args: Omit<RestoreRunArgs, 'op' | 'restoreId'> & { restoreId?: string | undefined },
  script: string,
  argv: readonly string[],
): Promise<{ opId: string; restoreId: string }> {
  let restoreId = '';
  const { opId } = await startOperation(conn, restoreDir(host.hostDir), 'The restore', (op) => {
    restoreId = args.restoreId ?? op;
    return restoreLaunchScript({ ...args, op, restoreId }, script, argv);
  });
  return { opId, restoreId };
}

/** One restore as its journal on the host tells it; not-found when there is none. */
export async function getRestoreRun(
  conn: SshConnection,
  host: HostProfile,
  opId: string,
): Promise<RestoreRun> {
  const op = await readOperation(conn, restoreDir(host.hostDir), opId);
  if (!op) throw new AppError('not-found', `No restore ${opId} on this host.`);
  return summarizeRestore(opId, readRestoreLines(op.journal), !op.alive);
}

/** The host's recent restores (of one domain's exports, or all), newest first. */
export async function listRestoreRuns(
  conn: SshConnection,
  host: HostProfile,
  uuid?: string,
  limit = 20,
): Promise<RestoreRun[]> {
  const r = await conn.exec(
    shellCommand(['sh', '-c', listScript, 'sh', restoreDir(host.hostDir), String(limit)]),
    { timeoutMs: 30_000 },
  );
  if (r.code !== 0) {
    throw new AppError('host-command-failed', 'The restores could not be listed.', {
      cause: r.stderr.trim() || `exit status ${r.code}`,
    });
  }
  return splitOperationListing(r.stdout)
    .map((op) => summarizeRestore(op.opId, readRestoreLines(op.journal), !op.alive))
    .filter((s) => !uuid || s.uuid === uuid)
    .reverse();
}

/**
 * Follows a restore's journal until its end line (or until its runner is gone and the journal
 * can no longer grow), each progress line a restore-progress event; then its summary. Fails when
 * the link drops meanwhile: the restore goes on on the host, and export.restores finds it again.
 */
export function followRestoreRun(
  conn: SshConnection,
  host: HostProfile,
  opId: string,
  emit: ((e: AppEvent) => void) | undefined,
  at: { uuid: string; exportId: string },
): Promise<RestoreRun> {
  return new Promise((resolve, reject) => {
    let ended = false;
    const handle = conn.stream(
      followCommand(['sh', '-c', followJournalScript, 'sh', '1', restoreDir(host.hostDir), opId]),
      (line) => {
        for (const l of readRestoreLines(line)) {
          if (l.ev === 'progress') {
            emit?.({
              type: 'restore-progress',
              hostId: host.id,
              ...at,
              disk: restoreDiskOf(l),
            });
          } else if (l.ev === 'end' && !ended) {
            ended = true;
            handle.stop();
          }
        }
      },
      () => {
        // the whole journal, read once more: the summary is the journal's, not the stream's
        getRestoreRun(conn, host, opId).then(resolve, (err: unknown) =>
          reject(
            new AppError(
              'host-command-failed',
              'The link to the host dropped while the restore ran: it goes on on the host.',
              {
                cause: err instanceof Error ? err.message : String(err),
                remedy:
                  'Reconnect: the export’s Restores list finds it, shows its progress and outcome, and can cancel it while it copies.',
              },
            ),
          ),
        );
      },
    );
  });
}
