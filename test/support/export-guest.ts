import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  openSync,
  closeSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { guestAgentCommand } from '../lab/lab';
import { cloneXml } from '../../electron/services/revert/restore-test-plan';
import { labVirsh } from './snapshot-helpers';

/**
 * Lab helpers of the export tests and the export bench: a transient clone of the lab's agent
 * guest with a data disk of its own (any size, prefilled with incompressible data), a
 * destination folder the lab's SSH user owns, and a domain booted from an exported image. Each
 * returns its own clean-up; every path sits under /tmp (searchable by QEMU's user).
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const LAB_USER = 'quiesce-lab';

function labUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', LAB_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', LAB_USER], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** A new folder for exports, owned by the lab's SSH user, readable and searchable by all. */
export function exportDestination(tag = 'dest'): { dir: string; remove: () => void } {
  const dir = `/tmp/quiesce-export-${tag}-${randomBytes(4).toString('hex')}`;
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const { uid, gid } = labUserIds();
  chownSync(dir, uid, gid);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function waitAgent(name: string, timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    try {
      await guestAgentCommand(name, { execute: 'guest-ping' });
      return Date.now() - t0;
    } catch (e) {
      if (Date.now() - t0 > timeoutMs) throw e;
      await sleep(500);
    }
  }
}

/** Boots `definition` (a domain XML) as a transient clone on `disk` (vda), no NIC. */
export async function bootClone(
  uri: string,
  definition: string,
  disk: string,
  name: string,
): Promise<{ name: string; uuid: string; bootMs: number; destroy: () => void }> {
  const uuid = randomUUID();
  const xml = cloneXml(
    definition,
    [{ target: 'vda', frozen: disk, format: 'qcow2', current: disk, overlay: disk }],
    name,
    uuid,
  );
  const dir = `/tmp/quiesce-export-clone-${randomBytes(4).toString('hex')}`;
  mkdirSync(dir, { mode: 0o755 });
  writeFileSync(join(dir, 'clone.xml'), xml);
  const destroy = () => {
    try {
      labVirsh(uri, 'destroy', uuid);
    } catch {
      /* gone already */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    labVirsh(uri, 'create', join(dir, 'clone.xml'));
    const bootMs = await waitAgent(name);
    return { name, uuid, bootMs, destroy };
  } catch (e) {
    destroy();
    throw e;
  }
}

/**
 * The data disk of a clone of the lab's agent guest (ext4 on /data, `diskMiB` big, `filledMiB` of
 * random data in /fill.bin) as data.qcow2 in a new folder under /tmp, not booted: exportGuest
 * boots it as a transient clone, throwawayDomain as a defined one (booting it once, not twice).
 * `remove` deletes the folder.
 */
export function exportGuestDisk(opts: { diskMiB: number; filledMiB: number }): {
  disk: string;
  dir: string;
  remove: () => void;
} {
  const dir = `/tmp/quiesce-export-guest-${randomBytes(4).toString('hex')}`;
  mkdirSync(join(dir, 'seed'), { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    // incompressible: what a real disk holds, and what neither qcow2 nor a copy can skip
    const fill = openSync(join(dir, 'seed', 'fill.bin'), 'w');
    const chunk = 8 * 1024 * 1024;
    for (let i = 0; i < (opts.filledMiB * 1024 * 1024) / chunk; i++)
      writeSync(fill, randomBytes(chunk));
    closeSync(fill);
    const raw = join(dir, 'data.raw');
    writeFileSync(raw, '');
    execFileSync('truncate', ['-s', `${opts.diskMiB}M`, raw]);
    execFileSync('mkfs.ext4', [
      '-q',
      '-F',
      '-b',
      '4096',
      '-L',
      'quiesce-data',
      '-d',
      join(dir, 'seed'),
      raw,
    ]);
    const disk = join(dir, 'data.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, disk]);
    rmSync(raw);
    rmSync(join(dir, 'seed'), { recursive: true });
    chmodSync(disk, 0o644);
    return { disk, dir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/**
 * A transient clone of the lab's agent guest whose data disk (vda, ext4 on /data) is `diskMiB`
 * big and holds `filledMiB` of random data in /fill.bin. The agent answers when it returns.
 */
export async function exportGuest(
  uri: string,
  agentUuid: string,
  opts: { diskMiB: number; filledMiB: number; name?: string },
): Promise<{ name: string; uuid: string; disk: string; dir: string; remove: () => void }> {
  const name = opts.name ?? `quiesce-export-guest-${randomBytes(3).toString('hex')}`;
  const { disk, dir, remove: removeDisk } = exportGuestDisk(opts);
  const remove = () => {
    try {
      labVirsh(uri, 'destroy', name);
    } catch {
      /* not running */
    }
    removeDisk();
  };
  try {
    const definition = labVirsh(uri, 'dumpxml', agentUuid, '--inactive');
    const clone = await bootClone(uri, definition, disk, name);
    const r = () => {
      clone.destroy();
      remove();
    };
    return { name, uuid: clone.uuid, disk, dir, remove: r };
  } catch (e) {
    remove();
    throw e;
  }
}
