import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pruneScript from '../../electron/services/host-scripts/export-prune.sh?raw';

/**
 * Retention of exports (export-prune.sh, as shipped, under dash and busybox): chains are a full
 * export and the incrementals on it; keep the newest N chains, or delete one export and those
 * built on it; the manifest goes first, the lock is the domain's, the checkpoints are deleted.
 */
const UUID = '00000000-0000-4000-8000-00000000000b';
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A destination with exports: id → parent (or null for a full one), ids in time order. */
function destWith(exports: [string, string | null][]) {
  const root = mkdtempSync(join(tmpdir(), 'quiesce prune '));
  roots.push(root);
  const dest = join(root, 'dest');
  const hostDir = join(root, 'host');
  const bin = join(root, 'bin');
  mkdirSync(hostDir, { recursive: true });
  mkdirSync(bin);
  // virsh: records the checkpoint deletes it is asked for
  writeFileSync(join(bin, 'virsh'), `#!/bin/sh\necho "$*" >>'${join(root, 'virsh.log')}'\n`);
  chmodSync(join(bin, 'virsh'), 0o755);
  for (const [id, parent] of exports) {
    const d = join(dest, UUID, id);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'vda.qcow2'), 'image');
    writeFileSync(
      join(d, 'manifest.json'),
      `{\n  "format": "quiesce-export/1",\n  "exportId": "${id}",\n  "parent": ${parent ? `"${parent}"` : 'null'},\n  "checkpoint": "quiesce-${id}",\n  "disks": []\n}\n`,
    );
  }
  const run = (shell: string, keep: number, act: 'plan' | 'delete', only = '') =>
    execFileSync(
      shell === 'busybox' ? 'busybox' : shell,
      [
        ...(shell === 'busybox' ? ['sh'] : []),
        '-c',
        pruneScript,
        'sh',
        hostDir,
        'test:///x',
        UUID,
        dest,
        String(keep),
        act,
        only,
      ],
      { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } },
    )
      .split('\n')
      .filter(Boolean);
  const left = () => readdirSync(join(dest, UUID)).sort();
  const virshLog = () =>
    existsSync(join(root, 'virsh.log')) ? readFileSync(join(root, 'virsh.log'), 'utf8') : '';
  return { dest, hostDir, run, left, virshLog };
}

const F1 = '20261201T000000Z-00000001';
const I1 = '20261201T010000Z-00000002';
const I2 = '20261201T020000Z-00000003';
const F2 = '20261201T030000Z-00000004';
const I3 = '20261201T040000Z-00000005';
const F3 = '20261201T050000Z-00000006';

describe.each(['dash', 'busybox'])('export-prune.sh under %s', (shell) => {
  it('keeps the newest N full chains: the plan names the older chains, children first', () => {
    const d = destWith([
      [F1, null],
      [I1, F1],
      [I2, I1],
      [F2, null],
      [I3, F2],
      [F3, null],
    ]);
    expect(d.run(shell, 2, 'plan')).toEqual([`delete ${I2}`, `delete ${I1}`, `delete ${F1}`]);
    expect(d.left()).toHaveLength(6); // a plan deletes nothing
    expect(d.run(shell, 2, 'delete')).toEqual([`deleted ${I2}`, `deleted ${I1}`, `deleted ${F1}`]);
    expect(d.left()).toEqual([F2, I3, F3]);
    expect(d.virshLog()).toContain(
      `checkpoint-delete --domain ${UUID} --checkpointname quiesce-${F1}`,
    );
    expect(d.run(shell, 1, 'plan')).toEqual([`delete ${I3}`, `delete ${F2}`]);
  });

  it('deleting a full export deletes the incrementals built on it, and nothing else', () => {
    const d = destWith([
      [F1, null],
      [I1, F1],
      [I2, I1],
      [F2, null],
    ]);
    expect(d.run(shell, 99, 'plan', I1)).toEqual([`delete ${I2}`, `delete ${I1}`]);
    expect(d.run(shell, 99, 'delete', F1)).toEqual([
      `deleted ${I2}`,
      `deleted ${I1}`,
      `deleted ${F1}`,
    ]);
    expect(d.left()).toEqual([F2]);
  });

  it('refuses while another operation holds the domain’s lock', () => {
    const d = destWith([
      [F1, null],
      [F2, null],
    ]);
    mkdirSync(join(d.hostDir, 'locks'), { recursive: true });
    const lock = join(d.hostDir, 'locks', `${UUID}.lock`);
    const holder = spawnSync(
      'flock',
      [
        lock,
        'sh',
        '-c',
        `busybox sh -c true; ${shell === 'busybox' ? 'busybox sh' : shell} -c "$0" sh "$@"; echo rc=$?`,
        pruneScript,
        d.hostDir,
        'test:///x',
        UUID,
        d.dest,
        '1',
        'delete',
      ],
      { encoding: 'utf8' },
    );
    expect(holder.stdout).toContain('rc=75');
    expect(d.left()).toEqual([F1, F2]);
  });

  it('a folder without its manifest is no export: never counted, never deleted', () => {
    const d = destWith([
      [F1, null],
      [F2, null],
    ]);
    rmSync(join(d.dest, UUID, F1, 'manifest.json'));
    expect(d.run(shell, 1, 'plan')).toEqual([]);
    expect(d.run(shell, 1, 'delete')).toEqual([]);
    expect(d.left()).toEqual([F1, F2]);
  });
});
