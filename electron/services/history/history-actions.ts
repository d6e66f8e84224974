import type { AppEvent } from '../../../shared/events';
import { AppError } from '../app-error';
import { followCommand } from '../shell/follow';
import { shellCommand } from '../shell/quote';
import type { SshConnection } from '../ssh/ssh-connection';
import { runVirsh } from '../virsh/run-virsh';
import type { History } from '../../../shared/history';

/**
 * The arguments that name exactly one snapshot. Snapshot names are the host's and may be anything
 * but "/": a bare `snapshot-delete DOM --current` would delete the current snapshot, not the one
 * named "--current", so the name always follows its option (docs/ARCHITECTURE.md, "Host strings
 * never enter virsh's command language").
 */
export function snapshotArgs(uuid: string, name: string): string[] {
  return ['--domain', uuid, '--snapshotname', name];
}

/** What the host's libvirt cannot do yet: since which version, and the way around it. */
function notOnThisLibvirt(message: string, since: string, remedy: string): AppError {
  return new AppError('host-command-failed', message, { cause: since, remedy });
}

/** One snapshot of one domain, on the host this connection reaches. */
export interface SnapshotOnHost {
  conn: SshConnection;
  uri: string;
  uuid: string;
  name: string;
}

/** Deletes an external snapshot; libvirt ≥ 9.0 merges its overlay into the chain. */
export async function deleteSnapshot(
  { conn, uri, uuid, name }: SnapshotOnHost,
  abilities: History['abilities'],
): Promise<void> {
  if (!abilities.deleteExternal) {
    throw notOnThisLibvirt(
      `libvirt ${abilities.libvirt} cannot delete external snapshots.`,
      'Deleting an external snapshot (merging its overlay) arrived in libvirt 9.0.',
      'Merge the chain instead (blockcommit, from the chain view), which folds every snapshot into the base image, or upgrade libvirt on the host.',
    );
  }
  try {
    await runVirsh(conn, uri, ['snapshot-delete', ...snapshotArgs(uuid, name)], 120_000);
  } catch (err) {
    if (err instanceof AppError) {
      throw new AppError('host-command-failed', `The snapshot “${name}” could not be deleted.`, {
        ...(err.details.cause ? { cause: err.details.cause } : { cause: err.message }),
        remedy: 'If an operation or a block job runs on this domain, wait for it and try again.',
      });
    }
    throw err;
  }
}

/**
 * The manual way back on a libvirt that cannot revert to an external snapshot. Every command is
 * quoted by shellCommand, the domain and snapshot after --domain / --snapshotname (a name that
 * begins with "--" is not an option), as renderer/history/manual-revert.ts shows it.
 */
export function manualRevertProcedure(domain: string, name: string, libvirt: string): string {
  const virsh = (...args: string[]) => shellCommand(['virsh', ...args]);
  return [
    `libvirt ${libvirt} cannot revert to an external snapshot (that arrived in libvirt 9.9). By hand, on the host:`,
    `1. Stop the guest: ${virsh('shutdown', '--domain', domain)} (or ${virsh('destroy', '--domain', domain)}).`,
    `2. For each disk, find the image the snapshot froze: ${virsh('snapshot-dumpxml', '--domain', domain, '--snapshotname', name)} names the overlay that took the writes after it; its backing file (qemu-img info <overlay>) is the snapshot's content.`,
    '3. Put a fresh overlay on that image, so it stays untouched: qemu-img create -f qcow2 -F qcow2 -b <that image> <new overlay>.',
    `4. ${virsh('edit', '--domain', domain)}: point the disk's <source file=…> at the new overlay; start the guest.`,
    'Everything written after the snapshot stays in the later overlays until you delete them.',
  ].join('\n');
}

/** Reverts to an external snapshot where libvirt can (≥ 9.9); else the manual procedure. */
export async function revertSnapshot(
  { conn, uri, uuid, name }: SnapshotOnHost,
  domainName: string,
  abilities: History['abilities'],
): Promise<void> {
  if (!abilities.revertExternal) {
    throw notOnThisLibvirt(
      `Reverting is not supported by libvirt ${abilities.libvirt} on this host.`,
      'Reverting to an external snapshot arrived in libvirt 9.9.',
      manualRevertProcedure(domainName, name, abilities.libvirt),
    );
  }
  await runVirsh(conn, uri, ['snapshot-revert', ...snapshotArgs(uuid, name)], 300_000);
}

/**
 * Folds a disk's whole chain into its base image (`blockcommit --active --pivot --delete`: the
 * merged overlay files are removed too), reporting progress as it goes; the caller then drops the
 * metadata of the snapshots that lived in the merged layers.
 */
export function mergeChain(
  conn: SshConnection,
  uri: string,
  hostId: string,
  uuid: string,
  target: string,
  emit: (e: AppEvent) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError = '';
    const onLine = (line: string) => {
      const m = /\[\s*(\d+(?:\.\d+)?)\s*%\]/.exec(line);
      if (m) emit({ type: 'merge-progress', hostId, uuid, target, percent: Number(m[1]) });
      if (/error:/.test(line)) lastError += line + '\n';
    };
    const cmd = followCommand([
      'sh',
      '-c',
      'virsh -c "$1" blockcommit --domain "$2" --path "$3" --active --pivot --wait --verbose --delete 2>&1 | tr "\\r" "\\n"; exit $(( $? ))',
      'sh',
      uri,
      uuid,
      target,
    ]);
    conn.stream(cmd, onLine, () => {
      if (lastError) {
        reject(
          new AppError('host-command-failed', `Merging the chain of ${target} failed.`, {
            cause: lastError.trim(),
            remedy:
              'Check that no other block job runs on this disk (virsh blockjob), then try again.',
          }),
        );
        return;
      }
      emit({ type: 'merge-progress', hostId, uuid, target, percent: 100, done: true });
      resolve();
    });
  });
}

/**
 * After a merge, forgets the snapshots whose overlays were folded away: libvirt still lists them,
 * but their files are gone, so only their metadata is dropped (`--metadata`), each named exactly.
 * Children first, so no metadata is left pointing at a parent that is already gone.
 */
export async function forgetMergedSnapshots(
  conn: SshConnection,
  uri: string,
  uuid: string,
  after: History,
): Promise<string[]> {
  const files = new Set(after.chains.flatMap((c) => c.layers.map((l) => l.file)));
  const forgotten = after.snapshots
    .filter((s) => s.disks.some((d) => d.file && !files.has(d.file)))
    .map((s) => s.name);
  for (const name of [...forgotten].reverse()) {
    try {
      await runVirsh(
        conn,
        uri,
        ['snapshot-delete', ...snapshotArgs(uuid, name), '--metadata'],
        60_000,
      );
    } catch (err) {
      throw new AppError(
        'host-command-failed',
        `The chain was merged, but libvirt still lists the snapshot “${name}”.`,
        {
          cause: err instanceof AppError ? (err.details.cause ?? err.message) : String(err),
          remedy:
            'Run Merge again: with the chain already merged, it only forgets the snapshots whose files are gone.',
        },
      );
    }
  }
  return forgotten;
}
