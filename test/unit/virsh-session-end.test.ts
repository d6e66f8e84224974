import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import sessionLib from '../../electron/services/host-scripts/virsh-session.sh?raw';

/**
 * virsh-session.sh's end_session after a spawn_session that a signal cut short. spawn_session
 * forks the session (`virsh <vin >vout &`), then opens the two FIFOs itself (`exec 3>vin 4<vout`):
 * each open waits for the child's matching open. A signal that lands while the runner waits there
 * (a SIGHUP to a runner in prepare, seen once under busybox on a loaded machine) sends it to its
 * exit path with the child still blocked opening a FIFO that nobody will open any more; an
 * end_session that waits for that child waits for good, and the run never ends. Played here
 * without the race: the fork done as spawn_session does it, the runner's opens stopped at each
 * point, then end_session; it must return at once and leave no process.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-session-end-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SHELLS: [string, string[]][] = [
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['busybox', ['busybox', 'sh']],
];
/** Where the runner's own opens stopped: before either, or after the first. */
const CUTS: [string, string][] = [
  ['before the runner opened vin', ':'],
  ['after vin, before vout', 'exec 3>vin'],
];

function runScript(shell: string[], dir: string, script: string, timeoutMs: number) {
  return new Promise<{ code: number | null; out: string; err: string; timedOut: boolean }>(
    (resolve) => {
      const child = spawn(shell[0]!, [...shell.slice(1), '-c', script], {
        cwd: dir,
        env: { PATH: `${dir}:${process.env.PATH}` },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own group, so a hung case can be ended whole
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out, err, timedOut });
      });
    },
  );
}

describe.concurrent.each(SHELLS)('end_session under %s', (name, shell) => {
  it.each(CUTS)('a spawn cut %s: returns at once, the child killed and reaped', async (cut, opened) => {
    const dir = mkdtempSync(join(root, `${name}-`));
    // a virsh that would answer forever once it ran: only the kill can end it
    writeFileSync(join(dir, 'virsh'), '#!/bin/sh\nexec cat\n');
    chmodSync(join(dir, 'virsh'), 0o755);
    const script = `URI=test:///default NL='
'
${sessionLib}
rm -f vin vout
mkfifo vin vout
virsh -c "$URI" <vin >vout 2>&1 5>&- 6<&- 9>&- &
VIRSH_PID=$!
child=$VIRSH_PID
${opened}
end_session
if kill -0 "$child" 2>/dev/null; then echo "left $child"; else echo "ended $SESSION"; fi
[ -e vin ] || [ -e vout ] || echo "fifos gone"`;
    const r = await runScript(shell, dir, script, 10_000);
    expect(r.timedOut, `end_session waited for good (${cut})`).toBe(false);
    expect(r.out).toBe('ended dead\nfifos gone\n');
    expect(r.code).toBe(0);
  });

  it('a live session still quits by itself (quit sent, not killed)', async () => {
    const dir = mkdtempSync(join(root, `${name}-live-`));
    // records how it ended: a `quit` line read, or a signal
    writeFileSync(
      join(dir, 'virsh'),
      `#!/bin/sh
trap 'echo signalled >>"${dir}/how"; exit 1' TERM HUP INT
while IFS= read -r l; do
  case $l in quit) echo quit >>"${dir}/how"; exit 0 ;; echo\\ *) echo "\${l#echo }" ;; esac
done
echo eof >>"${dir}/how"
`,
    );
    chmodSync(join(dir, 'virsh'), 0o755);
    const script = `URI=test:///default NL='
'
${sessionLib}
start_session || { echo "no session: $OUT"; exit 1; }
end_session
cat how`;
    const r = await runScript(shell, dir, script, 10_000);
    expect(r.timedOut).toBe(false);
    expect(r.out).toBe('quit\n');
  });
});
