import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An export chain as the export runner leaves it, made with the real qemu-img for the restore
 * scripts' unit tests: under DEST/UUID, a full export whose vda holds "one" at 0 and an
 * incremental on it (a backing file named relatively, as the runner names it) holding "tttt" at
 * 64 KiB; each with a manifest.json, so each looks complete.
 */
export function exportChain(root: string, uuidDir: string): { full: string; inc: string } {
  const full = join(uuidDir, '20261201T000000Z-0000000a');
  const inc = join(uuidDir, '20261201T000100Z-0000000b');
  for (const d of [full, inc]) mkdirSync(d, { recursive: true });
  const raw = join(root, 'r.raw');
  const data = Buffer.alloc(1 << 20);
  data.write('one', 0);
  writeFileSync(raw, data);
  const qi = (...a: string[]) => execFileSync('qemu-img', a, { stdio: 'pipe' });
  qi('convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, join(full, 'vda.qcow2'));
  qi(
    'create',
    '-q',
    '-f',
    'qcow2',
    '-b',
    `../${full.split('/').pop()}/vda.qcow2`,
    '-F',
    'qcow2',
    join(inc, 'vda.qcow2'),
  );
  execFileSync('qemu-io', ['-c', 'write -P 0x74 65536 4096', join(inc, 'vda.qcow2')], {
    stdio: 'pipe',
  });
  for (const d of [full, inc]) writeFileSync(join(d, 'manifest.json'), '{}');
  return { full, inc };
}

/** An image's guest-visible bytes (its chain read through). */
export function guestBytes(img: string): Buffer {
  const out = `${img}.raw`;
  execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', img, out]);
  const b = readFileSync(out);
  rmSync(out);
  return b;
}
