import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import hostLib from '../../electron/services/host-scripts/host-lib.sh?raw';
import runner from '../../electron/services/host-scripts/restore-runner.sh?raw';
import { readRestoreLines, summarizeRestore } from '../../electron/services/export/restore-journal';
import { restoreDir, restoreLaunchScript } from '../../electron/services/export/restore-launch';
import { launchCommand, newOpId } from '../../electron/services/snapshot/launch';
import { testRestoreRunArgs } from '../support/restore-run-args';

/**
 * The restore runner (host-scripts/restore-runner.sh) traps HUP and PIPE and goes on: the app
 * that started it may be gone. Under dash and busybox a caught signal still cuts short the
 * runner's open of restore.out (the redirection fails: "Interrupted system call"), and under those
 * two and bash run as sh a read from it that waits (`read` fails as at the end); the runner must
 * take neither for the end of the restore script's output. Played without a race: the signal is sent once /proc says the runner
 * waits in that read or that open (its wchan), then the writer goes on.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-restore-signals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SHELLS = ['dash', 'bash', 'busybox'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PID's kernel wait point (/proc/PID/wchan), '' once it is gone. */
function wchan(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Until PID sleeps where WHERE says (seen twice, 50 ms apart: not a passing read of a command
 * substitution's pipe); throws after 60 s.
 */
async function waitsIn(pid: number, where: RegExp): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (where.test(wchan(pid))) {
      await sleep(50);
      if (where.test(wchan(pid))) return;
    }
    if (Date.now() - t0 > 60_000)
      throw new Error(`pid ${pid} never waited in ${where}: ${wchan(pid)}`);
    await sleep(20);
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > 60_000) throw new Error(`no ${what} within 60 s`);
    await sleep(50);
  }
}

/**
 * DIR/bin with `sh` the shell under test, run as sh the way launch.sh runs the runner: bash then
 * runs in POSIX mode (Fedora's /bin/sh), where a trapped signal cuts its `read` short too;
 * busybox called `sh` is its shell.
 */
function shBin(dir: string, shell: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const shPath = execFileSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' }).trim();
  symlinkSync(shPath, join(bin, 'sh'));
  return bin;
}

/**
 * The runner as the app launches it (launch.sh, setsid), `sh` on the PATH the shell under test,
 * with RESTORE (shell text) as its restore script: it is given one argument, a marker file it
 * waits for midway (90 s at the most: a case that fails before making it leaves no process
 * polling for good).
 */
function launched(shell: string, restore: string) {
  const dir = mkdtempSync(join(root, `${shell}-`));
  const bin = shBin(dir, shell);
  mkdirSync(join(dir, 'host'), { mode: 0o700 });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: dir };
  const opId = newOpId();
  const ops = join(dir, 'host', 'restores', 'ops', opId);
  const marker = join(dir, 'go on');
  const script = restoreLaunchScript(testRestoreRunArgs(opId), restore, [marker]);
  const r = spawnSync('sh', ['-c', launchCommand(restoreDir('host'), opId)], {
    input: script,
    encoding: 'utf8',
    env,
  });
  expect(r.status, r.stderr).toBe(0);
  const journalText = () =>
    existsSync(join(ops, 'journal.jsonl')) ? readFileSync(join(ops, 'journal.jsonl'), 'utf8') : '';
  const journal = () => readRestoreLines(journalText());
  const pid = () => Number(readFileSync(join(ops, 'runner.pid'), 'utf8'));
  const log = () => readFileSync(join(ops, 'runner.log'), 'utf8');
  return { dir, opId, ops, marker, journal, journalText, pid, log };
}

describe.each(SHELLS)('restore-runner.sh signalled, under %s', (shell) => {
  it.each(['SIGHUP', 'SIGPIPE'] as const)(
    'a %s while the runner waits for the next line: it reads on, the restore ends ok',
    async (signal) => {
      const f = launched(
        shell,
        'echo "first line"\nn=0; while ! [ -e "$1" ] && [ $n -lt 1800 ]; do sleep 0.05; n=$((n + 1)); done\necho "second line"\necho "third line"\nexit 0\n',
      );
      await until('first line journaled', () => f.journal().some((l) => l.ev === 'out'));
      // the line journaled, the runner's next wait is its read of restore.out
      await waitsIn(f.pid(), /pipe_read|pipe_wait|poll_schedule/);
      process.kill(f.pid(), signal);
      writeFileSync(f.marker, '');
      await until('end line', () => f.journal().some((l) => l.ev === 'end'));
      const s = summarizeRestore(f.opId, f.journal(), false);
      expect(s, `${f.journalText()}\n${f.log()}`).toMatchObject({
        state: 'succeeded',
        code: 0,
        cancelled: false,
        failedPhase: null,
      });
      expect(s.output).toEqual(['first line', 'second line', 'third line']);
      expect(f.journalText()).not.toMatch(/"ok":false/);
    },
  );

  it('a SIGHUP inside a line (written in two parts): the line goes on (whole under dash)', async () => {
    const f = launched(
      shell,
      `printf 'par'\n: >"$1.printed"\nn=0; while ! [ -e "$1" ] && [ $n -lt 1800 ]; do sleep 0.05; n=$((n + 1)); done\nprintf 'tial\\n'\necho last\nexit 0\n`,
    );
    await until('the first part written', () => existsSync(`${f.marker}.printed`));
    // asleep in a pipe's read: the pipe is empty, the first part read
    await waitsIn(f.pid(), /pipe_read|pipe_wait|poll_schedule/);
    process.kill(f.pid(), 'SIGHUP');
    writeFileSync(f.marker, '');
    await until('end line', () => f.journal().some((l) => l.ev === 'end'));
    const s = summarizeRestore(f.opId, f.journal(), false);
    expect(s, `${f.journalText()}\n${f.log()}`).toMatchObject({ state: 'succeeded', code: 0 });
    // dash keeps what its `read` had read when the signal cut it, and the runner puts it in front;
    // bash's as sh drops it, busybox's mostly does (seen whole 1 run in about 20)
    expect(s.output).toEqual([
      shell === 'dash' ? 'partial' : expect.stringMatching(/^(par)?tial$/),
      'last',
    ]);
  });

  it('follow_restore: a SIGHUP while it waits to open the FIFO; it opens again and follows it all', async () => {
    const dir = mkdtempSync(join(root, `${shell}-open-`));
    const from = runner.indexOf(
      "# ---------------------------------------------------------------- the restore script's lines",
    );
    const to = runner.indexOf(
      '# ---------------------------------------------------------------- run it',
    );
    const trap = /^SIGNALLED=0\ntrap '[^']*' HUP PIPE$/m.exec(runner);
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    expect(trap).not.toBeNull();
    // the runner's trap and functions, not the rest of it: a FIFO with no writer yet
    const script = `${hostLib}
OPDIR=$PWD OP=op KIND=restore START=0
runner_start
${trap![0]}
${runner.slice(from, to)}
rm -f restore.out
mkfifo restore.out
follow_restore restore.out
echo "followed $?"
[ -e ended ] && echo ended`;
    const reader = spawn(join(shBin(dir, shell), 'sh'), ['-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    reader.stdout.on('data', (d: Buffer) => (out += d.toString()));
    reader.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise<void>((r) => reader.on('close', () => r()));
    try {
      await waitsIn(reader.pid!, /wait_for_partner/);
      process.kill(reader.pid!, 'SIGHUP');
      // the writer, as the runner's child is: its open waits for a reader (30 s at most)
      const writer = spawnSync(
        'sh',
        ['-c', `exec 3>restore.out; printf 'one\\nprogress vda 0 100 0 -1\\ntwo\\nexit 0\\n' >&3`],
        { cwd: dir, timeout: 30_000 },
      );
      expect(writer.signal, 'the writer found no reader').toBeNull();
      expect(writer.status).toBe(0);
      await closed;
    } finally {
      reader.kill('SIGKILL');
    }
    expect(out, err).toBe('followed 0\nended\n');
    const lines = readRestoreLines(readFileSync(join(dir, 'journal.jsonl'), 'utf8'));
    const s = summarizeRestore('op', lines, false);
    expect(s).toMatchObject({ state: 'succeeded', code: 0, failedPhase: null });
    expect(s.output).toEqual(['one', 'two']);
    expect(s.disks).toMatchObject([{ target: 'vda', done: 0, total: 100 }]);
  });
});
