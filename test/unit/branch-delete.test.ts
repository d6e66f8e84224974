import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteBranchScript } from '../../electron/services/revert/branch-scripts';

/**
 * branch-delete.sh as it is sent (host-lib.sh in front of it), against a scripted virsh: a
 * branch's top file is removed only when no domain uses it (a disk, or a layer of a running
 * chain) and no revert that was not rolled back put an overlay on it; the branch file says
 * which went.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-branch-delete-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const UUID = '00000000-0000-4000-8000-0000000000aa';
const host = join(root, 'host');
const img = join(root, 'img');
mkdirSync(join(host, 'reverts', 'ops', 'r1'), { recursive: true });
mkdirSync(img);
const bin = join(root, 'bin');
mkdirSync(bin);
// `list --all --uuid`, then the commands read from stdin: a disk in use, a layer of a chain
writeFileSync(
  join(bin, 'virsh'),
  `#!/bin/sh
case "$*" in
  *"list --all --uuid"*) echo ${UUID} ;;
  *) while read -r cmd _; do
       case $cmd in
         domblklist) printf ' Type   Device   Target   Source\\n file   disk     vda      %s\\n' "${img}/in use.qcow2" ;;
         domstats) printf '  block.0.backingIndex=1\\n  block.0.path=%s\\n' "${img}/layer.qcow2" ;;
       esac
     done ;;
esac
`,
);
chmodSync(join(bin, 'virsh'), 0o755);
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('deleting a discarded branch’s files', () => {
  it('removes only files no domain uses and no revert stands on, and records what went', () => {
    const files = ['free.qcow2', 'in use.qcow2', 'layer.qcow2', 'under-revert.qcow2'].map((f) =>
      join(img, f),
    );
    for (const f of files) writeFileSync(f, 'x');
    // an unsettled revert put its overlay on this one
    writeFileSync(
      join(host, 'reverts', 'ops', 'r1', 'plan'),
      `vda\tqcow2\t${b64(files[3]!)}\t${b64(join(img, 'ov.qcow2'))}\n`,
    );
    const r = spawnSync(
      'sh',
      ['-c', deleteBranchScript, 'sh', host, UUID, 'test:///x', 'b1', ...files],
      { env: { PATH: `${bin}:/usr/bin:/bin`, HOME: root }, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `removed ${b64(files[0]!)}\nkept ${b64(files[1]!)}\nkept ${b64(files[2]!)}\nkept ${b64(files[3]!)}\n`,
    );
    expect(files.map((f) => existsSync(f))).toEqual([false, true, true, true]);
    const line = JSON.parse(readFileSync(join(host, 'branches', `${UUID}.jsonl`), 'utf8')) as {
      ev: string;
      id: string;
      rt: number;
      removed: string[];
    };
    expect(line).toMatchObject({ ev: 'deleted', id: 'b1', removed: [b64(files[0]!)] });
    expect(line.rt).toBeGreaterThan(1.7e18);
  });

  it('refuses a UUID that is not one, touching nothing', () => {
    const r = spawnSync(
      'sh',
      ['-c', deleteBranchScript, 'sh', host, '--all', 'test:///x', 'b1', join(img, 'x')],
      { env: { PATH: `${bin}:/usr/bin:/bin`, HOME: root }, encoding: 'utf8' },
    );
    expect(r.status).toBe(64);
  });
});
