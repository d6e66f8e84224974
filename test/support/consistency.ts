import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { guestExec } from '../lab/lab';
import { labVirsh } from './snapshot-helpers';

/**
 * Whether a snapshot is consistent, judged from the host's own facts and never from what the app
 * reports: the image libvirt's live definition points at, its backing file as `qemu-img` reads it
 * (the frozen, point-in-time image), that image's ext4 superblock (`dumpe2fs -h`: no
 * `needs_recovery`) and its files as `debugfs` reads them without replaying the journal (a marker
 * written in the guest just before the snapshot is there only if the freeze flushed it).
 */

/** The file a disk of the running domain writes to now (libvirt's live XML, `domblklist`). */
export function topImage(uri: string, uuid: string, target = 'vda'): string {
  const list = labVirsh(uri, 'domblklist', uuid);
  const m = new RegExp(`^\\s*${target}\\s+(\\S+)`, 'm').exec(list);
  if (!m) throw new Error(`domblklist of ${uuid} has no ${target}:\n${list}`);
  return m[1]!;
}

/** The backing file of a qcow2 image, as QEMU's own tool reads it (absolute path). */
export function backingOf(image: string): string {
  const info = JSON.parse(
    execFileSync('qemu-img', ['info', '-U', '--output=json', image], { encoding: 'utf8' }),
  ) as { 'backing-filename'?: string; 'full-backing-filename'?: string };
  const b = info['full-backing-filename'] ?? info['backing-filename'];
  if (!b) throw new Error(`${image} has no backing file (qemu-img info)`);
  return b.startsWith('/') ? b : join(dirname(image), b);
}

/**
 * The image as of the latest snapshot of a disk: the backing file of the overlay the domain
 * writes to now. Right after a snapshot this is the frozen image of that snapshot.
 */
export function frozenImageOfLatestSnapshot(uri: string, uuid: string, target = 'vda') {
  const overlay = topImage(uri, uuid, target);
  return { overlay, frozen: backingOf(overlay) };
}

export interface ImageInspection {
  /** `needs_recovery` among the ext4 features: the image was cut from a mounted, unfrozen fs. */
  needsRecovery: boolean;
  /** dumpe2fs's "Filesystem features:" line, for messages. */
  features: string;
  /** Each asked path (relative to the filesystem's root) → its content, or null if absent. */
  files: Record<string, string | null>;
}

/**
 * Reads a (point-in-time) qcow2 image without touching it: converts it to raw (`-U`: QEMU may
 * hold the chain open), then `dumpe2fs -h` and `debugfs -R 'cat PATH'` for each path.
 */
export function inspectImage(image: string, paths: readonly string[] = []): ImageInspection {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-img-'));
  const raw = join(dir, 'disk.raw');
  try {
    execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', image, raw]);
    const header = execFileSync('dumpe2fs', ['-h', raw], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const features = /^Filesystem features:\s*(.*)$/m.exec(header)?.[1] ?? '';
    if (!features) throw new Error(`dumpe2fs -h ${image} shows no features line:\n${header}`);
    const files: Record<string, string | null> = {};
    for (const path of paths) {
      if (!/^\/[A-Za-z0-9._/-]+$/.test(path)) throw new Error(`unexpected path ${path}`);
      const out = execFileSync('debugfs', ['-R', `cat ${path}`, raw], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // debugfs prints "File not found by ext2_lookup" on stderr and nothing on stdout.
      files[path] = out === '' ? null : out;
    }
    return { needsRecovery: /\bneeds_recovery\b/.test(features), features, files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A marker file in the agent guest's /data (the frozen filesystem). */
export interface GuestMarker {
  /** Path in the guest. */
  guestPath: string;
  /** Path inside the data filesystem, as debugfs reads it. */
  fsPath: string;
  content: string;
}

/**
 * Writes a new marker file in the guest's /data through the agent (guest-exec), with no `sync`:
 * only a freeze (which flushes the filesystem and its journal) puts it in a point-in-time image
 * where debugfs can read it.
 */
export async function writeGuestMarker(domain: string, tag = 'cut'): Promise<GuestMarker> {
  const id = `${tag}-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const content = `quiesce marker ${id}\n`;
  const name = `consistency-marker-${id}`;
  const r = await guestExec(domain, '/bin/sh', [
    '-c',
    `printf '%s\\n' '${content.trim()}' > /data/${name}`,
  ]);
  if (r.exitcode !== 0) throw new Error(`writing /data/${name} in ${domain} failed: ${r.stderr}`);
  return { guestPath: `/data/${name}`, fsPath: `/${name}`, content };
}

/** Removes the markers writeGuestMarker left in the guest (best effort). */
export async function removeGuestMarkers(domain: string): Promise<void> {
  await guestExec(domain, '/bin/sh', ['-c', 'rm -f /data/consistency-marker-*']).catch(
    () => undefined,
  );
}
