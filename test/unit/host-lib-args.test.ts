import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import hostLib from '../../electron/services/host-scripts/host-lib.sh?raw';

/**
 * read_args (host-lib.sh) with a list: each name of the `args` file goes into the variable the
 * list pairs with it, or to a function of the list (freeze_arg); values arrive as data whatever
 * they hold, a name nothing takes ends the script through bad_args. Under dash, bash and busybox.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-read-args-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SHELLS: [string, string[]][] = [
  ['dash', ['dash']],
  ['bash', ['bash', '--posix']],
  ['busybox', ['busybox', 'sh']],
];
const PWNED = join(root, 'pwned');
const hostile = `$(touch ${PWNED}) \`touch ${PWNED}\` "'; x=1 * \\ $HOME`;

function readArgs(shell: string[], args: string) {
  writeFileSync(join(root, 'args'), args);
  writeFileSync(join(root, 'journal.jsonl'), '');
  const script = `${hostLib}
JOURNAL=${root}/journal.jsonl OP=invalid NAME='' KIND='' URI='' POLICY=''
read_args freeze_arg name=NAME kind=KIND
printf '%s\\n' "op=$OP" "name=$NAME" "kind=$KIND" "uri=$URI" "policy=$POLICY"
`;
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', script], {
    cwd: root,
    encoding: 'utf8',
  });
  return {
    code: r.status,
    out: r.stdout,
    journal: readFileSync(join(root, 'journal.jsonl'), 'utf8'),
  };
}

describe('read_args with a list of names', () => {
  for (const [name, shell] of SHELLS) {
    it(`${name}: names into their variables, values as data`, () => {
      const r = readArgs(
        shell,
        `op=20261201T000000Z-0a\nname=${hostile}\nkind=a=b\nuri=qemu:///system\npolicy=require\n`,
      );
      expect(r.code).toBe(0);
      expect(r.out).toBe(
        `op=20261201T000000Z-0a\nname=${hostile}\nkind=a=b\nuri=qemu:///system\npolicy=require\n`,
      );
      expect(existsSync(PWNED)).toBe(false);
    });

    it(`${name}: a name nothing takes ends the script, saying which`, () => {
      for (const bad of ['NAME', 'name2', '*', `$(touch ${PWNED})`, 'name;kind']) {
        const r = readArgs(shell, `op=20261201T000000Z-0a\n${bad}=x\n`);
        expect(r.code, bad).toBe(64);
        const result = JSON.parse(r.journal.split('\n')[0]!) as { b64: string; ok: boolean };
        expect(result.ok).toBe(false);
        expect(Buffer.from(result.b64, 'base64').toString()).toBe(
          `invalid runner arguments: unknown name ${bad}`,
        );
        expect(existsSync(PWNED)).toBe(false);
      }
    });
  }
});
