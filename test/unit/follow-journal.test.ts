import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import followScript from '../../electron/services/host-scripts/follow-journal.sh?raw';

/** The journal follower on the host: it ends once nothing can write the journal any more. */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function opFolder(): { hostDir: string; op: string; dir: string } {
  const hostDir = mkdtempSync(join(tmpdir(), 'quiesce-follow-'));
  dirs.push(hostDir);
  const op = '20261201T000000Z-abcdef01';
  const dir = join(hostDir, 'ops', op);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'journal.jsonl'), '{"line":1}\n{"line":2}\n');
  return { hostDir, op, dir };
}

function follow(hostDir: string, op: string) {
  const child = spawn('sh', ['-c', followScript, 'sh', '2', hostDir, op]);
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

const settle = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => 'ended'), new Promise((r) => setTimeout(() => r('running'), ms))]);

describe.concurrent('follow-journal.sh', { timeout: 20_000 }, () => {
  it('ends by itself, after printing the last lines, once the runner and its watchdog are gone', async () => {
    const { hostDir, op, dir } = opFolder();
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(join(dir, 'runner.pid'), `${dead.pid}\n`);
    writeFileSync(join(dir, 'watchdog.pid'), `${dead.pid}\n`);
    const f = follow(hostDir, op);
    expect(await settle(f.exited, 8_000)).toBe('ended');
    expect(f.out()).toBe('{"line":2}\n');
  });

  it('keeps following while the runner lives, and until its runner has even started', async () => {
    const { hostDir, op, dir } = opFolder();
    const f = follow(hostDir, op); // no runner.pid yet: not started, not gone
    expect(await settle(f.exited, 2_500)).toBe('running');
    const runner = spawn('sleep', ['30']);
    writeFileSync(join(dir, 'runner.pid'), `${runner.pid}\n`);
    expect(await settle(f.exited, 2_500)).toBe('running');
    writeFileSync(join(dir, 'journal.jsonl'), '{"line":1}\n{"line":2}\n{"line":3}\n');
    runner.kill('SIGKILL');
    expect(await settle(f.exited, 8_000)).toBe('ended');
    expect(f.out()).toContain('{"line":3}');
  });

  it('a watchdog still thawing keeps it following after the runner died', async () => {
    const { hostDir, op, dir } = opFolder();
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const watchdog = spawn('sleep', ['30']);
    writeFileSync(join(dir, 'runner.pid'), `${dead.pid}\n`);
    writeFileSync(join(dir, 'watchdog.pid'), `${watchdog.pid}\n`);
    const f = follow(hostDir, op);
    expect(await settle(f.exited, 3_000)).toBe('running');
    watchdog.kill('SIGKILL');
    expect(await settle(f.exited, 8_000)).toBe('ended');
  });

  it('stopped from outside (its channel closed), it leaves no tail behind', async () => {
    const { hostDir, op } = opFolder();
    const f = follow(hostDir, op);
    await new Promise((r) => setTimeout(r, 300));
    f.child.kill('SIGTERM');
    await settle(f.exited, 5_000);
    await new Promise((r) => setTimeout(r, 200));
    const { execFileSync } = await import('node:child_process');
    const ps = execFileSync('ps', ['-e', '-o', 'args='], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes(hostDir))).toEqual([]);
  });
});
