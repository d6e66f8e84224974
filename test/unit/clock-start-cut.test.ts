import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import hostLib from '../../electron/services/host-scripts/host-lib.sh?raw';

/**
 * host-lib.sh's clock after a clock_start that a signal cut short. clock_start forks the clock
 * (`date -f - <clock.in &`), then opens clock.in itself; a signal that lands while the runner
 * waits in that open sends it to its way out with the child blocked opening a FIFO nobody opens
 * any more: it would outlive the run. Played without the race (the fork as clock_start does it,
 * the runner's open never made): the next reading (every journal line takes one) must end and
 * reap that child, remove the FIFO, and still read the time.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-clock-cut-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SHELLS: [string, string[]][] = [
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['busybox', ['busybox', 'sh']],
];

describe.each(SHELLS)('a clock_start cut before its open, under %s', (name, shell) => {
  it('the next reading ends the blocked child, removes the FIFO and reads the time', () => {
    const dir = mkdtempSync(join(root, `${name}-`));
    const script = `${hostLib}
mkfifo clock.in && : >clock.out
stdbuf -oL date -f - +%s%N >clock.out <clock.in 2>/dev/null 3>&- 4<&- 8>&- 9>&- &
CLOCK_PID=$!
child=$CLOCK_PID
now_rt
if kill -0 "$child" 2>/dev/null; then echo "left $child"; else echo "ended $CLOCK"; fi
echo "$RT"`;
    const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    const [state, rt] = r.stdout.split('\n');
    expect(state).toBe('ended off');
    expect(rt).toMatch(/^\d{19}$/);
    expect(existsSync(join(dir, 'clock.in'))).toBe(false);
    expect(r.stderr).toBe('');
    // what the old reading left: the child still blocked opening clock.in, for good
    if (state?.startsWith('left ')) spawnSync('kill', ['-9', state.slice(5)]);
  });
});
