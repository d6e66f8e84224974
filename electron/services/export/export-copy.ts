import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import type { ExportManifest } from '../../../shared/export';
import { AppError } from '../app-error';
import { readManifest } from './export-readers';

/**
 * Copies a complete export off the host it was made on, over that host's SSH connection (SFTP),
 * to the admin's workstation or to a second SSH host: DEST/UUID/EXPORTID/ keeps its layout, so an
 * incremental's relative backing file (../PARENT/TARGET.qcow2) resolves there too. An incremental
 * brings the exports below it that the target does not hold yet. Each image is downloaded with
 * SFTP reads in parallel into a private folder on the workstation, checked there against the
 * manifest's sha256, then moved (workstation) or uploaded (second host) as `.partial` and named;
 * the manifest comes last: a copy that stops half-way never looks complete. A copy to a second
 * host is thus relayed through the workstation (it needs room there for one image at a time).
 */

/** Where a copy goes: a folder on the workstation, or on a second host (through its SFTP). */
export interface ExportSink {
  /** How the destination is shown to the admin. */
  label: string;
  exists(rel: string): Promise<boolean>;
  mkdirp(rel: string): Promise<void>;
  /** Brings a downloaded local file to `rel` (moved on the workstation, uploaded to a host). */
  put(localFile: string, rel: string): Promise<void>;
  writeText(rel: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(rel: string): Promise<void>;
}

export function localSink(root: string): ExportSink {
  const at = (rel: string) => join(root, rel);
  return {
    label: root,
    exists: async (rel) =>
      stat(at(rel)).then(
        () => true,
        () => false,
      ),
    mkdirp: async (rel) => void (await mkdir(at(rel), { recursive: true })),
    put: async (localFile, rel) => {
      try {
        await rename(localFile, at(rel));
      } catch {
        // another filesystem: copy, then drop the download
        await pipeline(createReadStream(localFile), createWriteStream(at(rel), { mode: 0o600 }));
        await rm(localFile, { force: true });
      }
    },
    writeText: (rel, text) => writeFile(at(rel), text, { mode: 0o644 }),
    rename: (from, to) => rename(at(from), at(to)),
    remove: (rel) => rm(at(rel), { force: true }),
  };
}

const sftpCall = <T>(f: (cb: (err: Error | null | undefined, v?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))));

export function sftpSink(sftp: SFTPWrapper, root: string, label: string): ExportSink {
  const at = (rel: string) => posix.join(root, rel);
  const exists = (rel: string) =>
    sftpCall((cb) => sftp.stat(at(rel), cb)).then(
      () => true,
      () => false,
    );
  return {
    label,
    exists,
    mkdirp: async (rel) => {
      let path = '';
      for (const part of rel.split('/').filter(Boolean)) {
        path = path ? `${path}/${part}` : part;
        if (!(await exists(path)))
          await sftpCall((cb) => sftp.mkdir(at(path), { mode: 0o755 }, cb));
      }
    },
    put: (localFile, rel) =>
      sftpCall<void>((cb) => sftp.fastPut(localFile, at(rel), { mode: 0o600 }, (err) => cb(err))),
    writeText: (rel, text) => sftpCall((cb) => sftp.writeFile(at(rel), text, { mode: 0o644 }, cb)),
    // posix-rename@openssh.com replaces a file that is there, as rename(2) does
    rename: (from, to) => sftpCall((cb) => sftp.ext_openssh_rename(at(from), at(to), cb)),
    remove: (rel) => sftpCall<void>((cb) => sftp.unlink(at(rel), cb)).catch(() => undefined),
  };
}

export interface CopyResult {
  /** The exports copied, the asked one last (its ancestors first, if the target lacked them). */
  copied: string[];
  bytes: number;
}

/** Copies export `exportId` of `uuid` from `srcDest` on the source host into `sink`. */
export async function copyExport(
  src: SFTPWrapper,
  srcDest: string,
  uuid: string,
  exportId: string,
  sink: ExportSink,
  staging: string,
  onBytes: (bytes: number) => void = () => undefined,
  depth = 0,
): Promise<CopyResult> {
  if (depth > 1000) throw new AppError('internal', 'The export chain does not end.');
  const rel = `${uuid}/${exportId}`;
  const srcDir = posix.join(srcDest, rel);
  let manifest: ExportManifest;
  let manifestText: string;
  try {
    const text = await sftpCall<Buffer>((cb) => src.readFile(`${srcDir}/manifest.json`, cb));
    manifestText = text.toString('utf8');
    manifest = readManifest(manifestText);
  } catch (err) {
    throw new AppError('not-found', `No complete export ${exportId} in ${srcDest} on the host.`, {
      cause: (err as Error).message,
      remedy: 'An export without its manifest.json is not complete: export again.',
    });
  }
  const result: CopyResult = { copied: [], bytes: 0 };
  if (manifest.parent && !(await sink.exists(`${uuid}/${manifest.parent}/manifest.json`))) {
    const below = await copyExport(
      src,
      srcDest,
      uuid,
      manifest.parent,
      sink,
      staging,
      onBytes,
      depth + 1,
    );
    result.copied.push(...below.copied);
    result.bytes += below.bytes;
  }
  await sink.mkdirp(rel);
  for (const disk of manifest.disks) {
    if (!/^[A-Za-z0-9._-]+$/.test(disk.file) || disk.file.startsWith('.')) {
      throw new AppError('invalid-input', `The manifest names an odd file: ${disk.file}.`);
    }
    const partial = `${rel}/${disk.file}.partial`;
    // fastGet reads with many requests in flight (a plain SFTP stream waits for each 64 KiB);
    // the download lands in a private folder of the workstation first, and is hashed there
    const local = join(staging, `${exportId}-${disk.file}.partial`);
    let sum: string;
    let bytes = 0;
    try {
      await sftpCall<void>((cb) =>
        src.fastGet(
          `${srcDir}/${disk.file}`,
          local,
          {
            concurrency: 32,
            chunkSize: 256 * 1024,
            step: (total) => {
              onBytes(total - bytes);
              bytes = total;
            },
          },
          (err) => cb(err),
        ),
      );
      const hash = createHash('sha256');
      await pipeline(createReadStream(local), hash);
      sum = hash.digest('hex');
      if (sum === disk.sha256) await sink.put(local, partial);
    } catch (err) {
      await rm(local, { force: true });
      await sink.remove(partial);
      throw new AppError('host-command-failed', `Copying ${disk.file} of ${exportId} failed.`, {
        cause: (err as Error).message,
        remedy: `Check the room and permissions in ${sink.label}, then copy again.`,
      });
    }
    await rm(local, { force: true });
    if (sum !== disk.sha256) {
      await sink.remove(partial);
      throw new AppError('host-command-failed', `${disk.file} of ${exportId} arrived damaged.`, {
        cause: `sha256 ${sum}, the manifest says ${disk.sha256}`,
        remedy: 'Verify the export on the host, then copy again.',
      });
    }
    await sink.rename(partial, `${rel}/${disk.file}`);
    result.bytes += bytes;
  }
  // the manifest last: only now does the copy look complete
  // byte for byte: the host scripts read a manifest line by line
  await sink.writeText(`${rel}/manifest.json.partial`, manifestText);
  await sink.rename(`${rel}/manifest.json.partial`, `${rel}/manifest.json`);
  result.copied.push(exportId);
  return result;
}

/** A local copy's manifest, read back (for checks and tests). */
export async function readLocalManifest(root: string, rel: string): Promise<ExportManifest> {
  return readManifest(await readFile(join(root, rel, 'manifest.json'), 'utf8'));
}

/** A private folder for downloads on the workstation (`rm` it when done). */
export async function stagingFolder(near?: string): Promise<string> {
  if (near) await mkdir(near, { recursive: true });
  return mkdtemp(join(near ?? tmpdir(), '.quiesce-copy-'));
}
