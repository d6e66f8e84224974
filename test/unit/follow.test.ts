import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { followCommand } from '../../electron/services/shell/follow';

/**
 * The wrapped command runs under a real `sh -c`, as sshd would run it: the child's stdin stands
 * for the SSH channel (open while the app follows, closed when the channel or the link goes).
 */
const children: ChildProcessWithoutNullStreams[] = [];
function run(argv: string[]) {
  const child = spawn('sh', ['-c', followCommand(argv)]);
  children.push(child);
  let stdout = '';
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    lines.splice(0, lines.length, ...stdout.split('\n').filter(Boolean));
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lineCount = async (n: number) => {
    while (lines.length < n) await new Promise<void>((r) => waiters.push(r));
    return lines;
  };
  return { child, exited, lineCount, output: () => stdout };
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(() => {
  for (const c of children.splice(0)) {
    c.stdin.end();
    c.kill();
  }
});

describe('followCommand', () => {
  it('streams the command’s output while the channel is open', async () => {
    const f = run(['sh', '-c', 'echo one; sleep 0.2; echo two; sleep 30']);
    expect(await f.lineCount(2)).toEqual(['one', 'two']);
    expect(f.child.exitCode).toBeNull();
  });

  it('kills the command when the channel closes (sshd sends no SIGHUP without a pty)', async () => {
    const f = run(['sh', '-c', 'echo $$; exec sleep 30']);
    const [pid] = await f.lineCount(1);
    expect(alive(Number(pid))).toBe(true);
    f.child.stdin.end(); // the channel closed, the link dropped
    await f.exited;
    await expect.poll(() => alive(Number(pid)), { timeout: 3000 }).toBe(false);
  });

  it('ends with the command when it ends on its own, with its exit status', async () => {
    const f = run(['sh', '-c', 'echo done; exit 3']);
    expect(await f.exited).toBe(3);
    expect(f.output()).toBe('done\n');
  });

  it('hands every argument to the command verbatim', async () => {
    const hostile = ["it's", '$(echo pwned)', 'a; b', '"q"', ' spaced ', '*'];
    const f = run(['printf', '%s\\n', ...hostile]);
    await f.exited;
    expect(f.output()).toBe(hostile.map((s) => `${s}\n`).join(''));
  });

  it('gives the command no stdin of its own: the channel is only watched', async () => {
    const f = run(['sh', '-c', 'cat; echo after-eof']);
    f.child.stdin.write('not for the command\n');
    expect(await f.lineCount(1)).toEqual(['after-eof']);
  });
});
