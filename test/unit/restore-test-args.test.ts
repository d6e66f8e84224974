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
import hostLib from '../../electron/services/host-scripts/host-lib.sh?raw';
import restoreScript from '../../electron/services/revert/restore-test.sh?raw';
import { readRestoreTest } from '../../electron/services/revert/restore-tests';

/**
 * The restore test's runner (restore-test.sh, as shipped with host-lib.sh) refuses arguments that
 * name another folder, a clone that is the domain itself, or a name it does not know, before it
 * asks libvirt anything, and its journal says why (read_args and bad_args of host-lib.sh).
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-restore-args-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
chmodSync(root, 0o700);
const bin = join(root, 'bin');
mkdirSync(bin);
// a virsh that only says it was called: none of these runs may reach it
writeFileSync(join(bin, 'virsh'), `#!/bin/sh\necho "$*" >>${root}/virsh-called\nexit 1\n`);
chmodSync(join(bin, 'virsh'), 0o755);

const UUID = '00000000-0000-4000-8000-0000000000aa';
const CLONE = '00000000-0000-4000-8000-0000000000cc';
let n = 0;

function run(args: (dir: string, op: string) => string) {
  const op = `20261201T000000Z-${String(++n).padStart(8, '0')}`;
  const dir = join(root, 'restore-tests', 'ops', op);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'host-lib.sh'), hostLib);
  writeFileSync(join(dir, 'runner.sh'), restoreScript);
  writeFileSync(join(dir, 'args'), args(join(root, 'restore-tests'), op));
  writeFileSync(join(dir, 'journal.jsonl'), '');
  const r = spawnSync('sh', [join(dir, 'runner.sh'), dir], {
    env: { PATH: `${bin}:/usr/bin:/bin` },
    encoding: 'utf8',
  });
  return {
    code: r.status,
    result: readRestoreTest(op, readFileSync(join(dir, 'journal.jsonl'), 'utf8'), false),
  };
}

const good = (hostDir: string, op: string) =>
  [
    `op=${op}`,
    'uri=qemu:///system',
    `uuid=${UUID}`,
    `name=${Buffer.from('snap').toString('base64')}`,
    'clone=web-restoretest-1',
    `cloneUuid=${CLONE}`,
    'bootWaitS=120',
    'agentTimeoutS=5',
    `hostDir=${hostDir}`,
    '',
  ].join('\n');

describe('the restore test’s arguments', () => {
  const cases: [string, (d: string, op: string) => string, RegExp][] = [
    ['another folder', (d, op) => good(d, op).replace(/^hostDir=.*$/m, 'hostDir=/tmp'), /hostDir/],
    [
      'a clone that is the domain under test (it is destroyed afterwards)',
      (d, op) => good(d, op).replace(/^cloneUuid=.*$/m, `cloneUuid=${UUID}`),
      /cloneUuid/,
    ],
    ['a name it does not know', (d, op) => good(d, op) + 'extra=1\n', /unknown name extra/],
    [
      'a clone name that is not plain',
      (d, op) => good(d, op).replace(/^clone=.*$/m, 'clone=x; rm -rf /'),
      /clone/,
    ],
  ];
  for (const [what, args, why] of cases) {
    it(`refuses ${what}, says why, and asks libvirt nothing`, () => {
      const { code, result } = run(args);
      expect(code).toBe(64);
      expect(result).toMatchObject({ state: 'failed', message: expect.stringMatching(why) });
      expect(existsSync(join(root, 'virsh-called'))).toBe(false);
    });
  }
});
