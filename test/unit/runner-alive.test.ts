import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOperation } from '../../electron/services/snapshot/launch';
import {
  readRestoreTestList,
  restoreTestsListScript,
} from '../../electron/services/revert/restore-tests';
import type { SshConnection } from '../../electron/services/ssh/ssh-connection';

/**
 * Whether an operation's runner still runs, as the host decides it for read-operation.sh and
 * restore-tests-list.sh (runner_alive, runner-alive.sh, sent in front of each): a live pid is
 * alive; a dead one, garbage, no pid file, or a zombie (killed, not reaped yet) is not.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-runner-alive-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** A connection whose exec runs the command line with the local sh, as sshd would. */
const local = {
  exec: async (command: string) => {
    const r = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
    return { code: r.status, signal: null, stdout: r.stdout, stderr: r.stderr };
  },
} as unknown as SshConnection;

/** A live process's pid, ended with the suite. */
function livePid(): number {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
}

/**
 * The pid of a zombie: a child that exited under a parent (`sleep`) that never reaps it. The child
 * outlives the `exec` by a delay, since a shell still there when it exits may reap it (dash did
 * on a loaded CI machine: the pid vanished, no zombie); a vanished pid is tried again, longer.
 */
async function zombiePid(): Promise<number> {
  for (const delay of ['0.2', '1', '3']) {
    const file = join(root, `zombie-${children.length}`);
    const c = spawn('sh', ['-c', `sleep ${delay} & echo $! >${file}; exec sleep 60`], {
      stdio: 'ignore',
    });
    children.push(c);
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 25));
      let pid = 0;
      try {
        pid = Number(readFileSync(file, 'utf8').trim());
      } catch {
        continue;
      }
      if (!(pid > 0)) continue;
      const stat = safeStat(pid).replace(/\(.*\)/, 'x');
      if (/^\S+ \S+ Z/.test(stat)) return pid;
      if (stat === '') break; // reaped before the exec: again, with the child living longer
    }
  }
  throw new Error('no zombie appeared');
}
function safeStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

function operation(parent: string, op: string, pid: string | undefined, uuid = 'u1'): void {
  const d = join(root, parent, 'ops', op);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'args'), `op=${op}\nuuid=${uuid}\n`);
  writeFileSync(join(d, 'journal.jsonl'), `{"ev":"start","op":"${op}","mono":1,"pid":1}\n`);
  if (pid !== undefined) writeFileSync(join(d, 'runner.pid'), `${pid}\n`);
}

describe('runner_alive, as read-operation.sh and restore-tests-list.sh use it', () => {
  it('read-operation: alive for a live runner only', async () => {
    const zombie = await zombiePid();
    const cases: [string, string | undefined, boolean][] = [
      ['20261201T000000Z-live', String(livePid()), true],
      ['20261201T000000Z-dead', '999999', false],
      ['20261201T000000Z-zombie', String(zombie), false],
      ['20261201T000000Z-garbage', 'x; echo 1', false],
      ['20261201T000000Z-nopid', undefined, false],
    ];
    for (const [op, pid, alive] of cases) {
      operation('ops-parent', op, pid);
      const r = await readOperation(local, join(root, 'ops-parent'), op);
      expect(r, op).toMatchObject({ alive, journal: expect.stringContaining(`"op":"${op}"`) });
    }
    expect(await readOperation(local, join(root, 'ops-parent'), 'none')).toBeUndefined();
  });

  it('restore-tests-list: a running test is running, a zombie runner’s is lost', async () => {
    const zombie = await zombiePid();
    operation('host/restore-tests', '20261201T010000Z-a', String(livePid()));
    operation('host/restore-tests', '20261201T020000Z-b', String(zombie));
    const r = spawnSync('sh', ['-c', restoreTestsListScript, 'sh', join(root, 'host'), 'u1'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const list = readRestoreTestList(r.stdout);
    expect(list.map((t) => [t.opId, t.state])).toEqual([
      ['20261201T020000Z-b', 'lost'],
      ['20261201T010000Z-a', 'running'],
    ]);
  });
});
