import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import hostLib from '../../electron/services/host-scripts/host-lib.sh?raw';
import sessionLib from '../../electron/services/host-scripts/virsh-session.sh?raw';

/**
 * A signal while a runner waits in one of its FIFO opens (spawn_session's `3>vin 4<vout`,
 * clock_start's `5>clock.in`): each waits for the forked child's matching open. dash and busybox
 * fail a redirection a trapped signal cut short ("Interrupted system call"), and when that
 * redirection is a plain `exec`'s, the shell exits from the signal's trap WITHOUT running the
 * EXIT trap: no way out, no outcome journaled (seen in the fault suite: a SIGTERM to the runner's
 * group at the end of prepare left a journal that stops at its disks line). The runners open them
 * with `command exec`, whose failed redirection is a failed command: the trap's exit then runs
 * the EXIT trap.
 *
 * Played without a race: the script's umask makes FIFOs the owner may only write (mode 200;
 * busybox runs its own mkfifo applet, so no fake on the PATH would do) and it runs as a user
 * that permissions bind (nobody, when the tests run as root), so the child's read-open fails and
 * it exits, and the runner waits in its write-open for good. The signal is sent once /proc says
 * it waits there.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-fifo-signal-'));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * busybox is not among them: there the child's exit (its open refused) is a SIGCHLD that cuts
 * the runner's open by itself before any signal can be sent; its own case is below.
 */
const SHELLS: [string, string[]][] = [
  ['dash', ['dash']],
  ['bash', ['bash']],
];
/** As root, the script runs as nobody: root opens a FIFO whatever its mode. */
const asUser =
  process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

const OPENS: [string, string][] = [
  ['spawn_session’s open of vin', 'URI=test:///default\nspawn_session\necho "spawned $SESSION"'],
  ['clock_start’s open of clock.in', 'clock_start\necho "clock $CLOCK"'],
];

/** The runner's libraries, its traps (on_exit), a umask that makes FIFOs write-only, then CALL. */
const runnerScript = (call: string) => `NL='
'
${hostLib}
${sessionLib}
on_exit 'echo "way out $SIGNAL" >way-out; end_session; clock_stop'
umask 577
${call}`;

/** DIR, writable by the script's user, with a virsh that would answer forever. */
function caseDir(name: string): string {
  const dir = mkdtempSync(join(root, `${name}-`));
  chmodSync(dir, 0o777);
  writeFileSync(join(dir, 'virsh'), '#!/bin/sh\nexec cat\n');
  chmodSync(join(dir, 'virsh'), 0o755);
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wchan = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    return '';
  }
};

describe.concurrent.each(SHELLS)('a SIGTERM in a runner’s FIFO open, under %s', (name, shell) => {
  it.each(OPENS)('%s: the way out runs (EXIT trap), nothing is left', async (_what, call) => {
    const dir = caseDir(name);
    const script = runnerScript(call);
    const child = spawn(asUser[0] ?? shell[0]!, [...asUser.slice(1), ...shell, '-c', script], {
      cwd: dir,
      env: { PATH: `${dir}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own group: whatever it leaves is ended with it below
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<number | null>((r) => child.on('close', r));
    // setpriv execs the shell: the pid is the script's
    const t0 = Date.now();
    // a FIFO's open waits in wait_for_partner (fifo_open on older kernels), not a pipe's read
    while (!/wait_for_partner|fifo_open/.test(wchan(child.pid!))) {
      if (Date.now() - t0 > 20_000)
        throw new Error(`never waited in a FIFO open (wchan ${wchan(child.pid!)}): ${out}`);
      await sleep(20);
    }
    await sleep(100);
    process.kill(child.pid!, 'SIGTERM');
    const code = await Promise.race([closed, sleep(10_000).then(() => 'hung' as const)]);
    // looked at before the clean-up below, which would end whatever is left
    const left = spawnSync('pgrep', ['-g', String(child.pid)], { encoding: 'utf8' }).stdout.trim();
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* ended with its group */
    }
    expect(code, out).toBe(143);
    expect(readFileSync(join(dir, 'way-out'), 'utf8').trim(), out).toBe('way out SIGTERM');
    expect(out).not.toMatch(/spawned|clock on/);
    // nothing of the script's group is left (the child exited on its failed open)
    expect(left).toBe('');
  });
});

describe('busybox: a session child that exits before its open', () => {
  it('cuts the runner’s own open (SIGCHLD): spawn_session returns false, the script goes on to its way out', () => {
    const dir = caseDir('busybox');
    const r = spawnSync(
      asUser[0] ?? 'busybox',
      [
        ...asUser.slice(1),
        'busybox',
        'sh',
        '-c',
        runnerScript('URI=test:///default\nspawn_session\necho "spawned $SESSION"'),
      ],
      { cwd: dir, env: { PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8', timeout: 20_000 },
    );
    // a plain exec's failed open ended the shell there (status 1), before the caller could act
    expect(r.stdout, r.stderr).toBe('spawned none\n');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'way-out'), 'utf8').trim()).toBe('way out');
  });
});
