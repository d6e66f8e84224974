/**
 * `npm test`: every tier, in order, on a fresh Debian machine or this one.
 *
 *   system packages, and meanwhile tsc, eslint and the build → ShellCheck → unit → lab up → host,
 *   lab, gui (each followed by `lab up` again: did it have to thaw a frozen guest?) → no process
 *   left as the lab user → lab down → nothing of the lab left at all
 *
 * It installs what the tiers need (as root), prints each tier's counts, and ends with the line
 * `N passed, N failed`. A tier that cannot run counts as failed with its reason: nothing is
 * skipped silently. `--keep-lab` leaves the lab running for the next run (developers only).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_PACKAGES } from './lab/config';
import { ensurePackages } from './lab/packages';
import { describeProcess, labHeals, labLeftovers, labUserProcesses } from './lab/lab';
import { failureLines, type VitestFileResult } from './support/vitest-report';

interface TierResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  note?: string;
  /** One line per failed test: file › title — first line of its error. */
  failures?: string[];
}

const GUI_PACKAGES = ['chromium', 'openssh-client', 'fonts-dejavu-core'];
const STATIC_PACKAGES = ['shellcheck'];

/** Every shell script Quiesce runs on a host, and the fakes the fault tests run in their place. */
function shellScripts(): string[] {
  const inFolder = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(dir, f));
  return [
    ...inFolder('electron/services/host-scripts'),
    ...inFolder('electron/services/revert'),
    ...inFolder('test/fault'),
  ];
}
const results: TierResult[] = [];
const keepLab = process.argv.includes('--keep-lab');
const resultsDir = 'test-results';
mkdirSync(resultsDir, { recursive: true });

function log(msg: string): void {
  process.stderr.write(`\n[quiesce test] ${msg}\n`);
}

/** Runs a command with inherited output; resolves with its exit code. */
function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}

/** A step that is one check: it passes or fails as a whole. */
async function checkResult(name: string, fn: () => Promise<void>): Promise<TierResult> {
  const t0 = Date.now();
  try {
    await fn();
    return { name, passed: 1, failed: 0, skipped: 0, seconds: (Date.now() - t0) / 1000 };
  } catch (err) {
    const note = err instanceof Error ? err.message : String(err);
    log(`${name} FAILED: ${note}`);
    return { name, passed: 0, failed: 1, skipped: 0, seconds: (Date.now() - t0) / 1000, note };
  }
}
async function check(name: string, fn: () => Promise<void>): Promise<boolean> {
  const r = await checkResult(name, fn);
  results.push(r);
  return r.failed === 0;
}

async function mustRun(cmd: string, args: string[]): Promise<void> {
  const code = await run(cmd, args);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}`);
}

/** One vitest project; counts come from its JSON report, so they cannot drift from the truth. */
async function tierResult(name: string, cannotRun?: string): Promise<TierResult> {
  if (cannotRun) {
    log(`tier ${name} cannot run: ${cannotRun}`);
    return {
      name,
      passed: 0,
      failed: 1,
      skipped: 0,
      seconds: 0,
      note: `cannot run: ${cannotRun}`,
    };
  }
  const t0 = Date.now();
  const report = join(resultsDir, `${name}.json`);
  // A tier that crashes writes no report: the previous run's must not be read in its place.
  rmSync(report, { force: true });
  const vitest = [
    'vitest',
    'run',
    '--project',
    name,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  log(`tier ${name}`);
  const code = await run('npx', vitest);
  const seconds = (Date.now() - t0) / 1000;
  if (!existsSync(report)) {
    return {
      name,
      passed: 0,
      failed: 1,
      skipped: 0,
      seconds,
      note: `vitest exited ${code} without a report`,
    };
  }
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numTotalTests: number;
    testResults?: VitestFileResult[];
  };
  // A file that failed to load has no failed test but must still fail the tier. vitest's
  // numFailedTestSuites counts every describe block around a failed test as well (one failed
  // test read "3 failed"), so the files are counted here: the count matches the Failed: list.
  const failures = failureLines(r.testResults ?? []);
  if (code !== 0 && failures.length === 0 && r.numFailedTests === 0) {
    failures.push(
      `vitest exited ${code} with no failed test (an error outside the tests: see above)`,
    );
  }
  const failed = Math.max(failures.length, r.numFailedTests, code !== 0 ? 1 : 0);
  const skipped = r.numPendingTests + r.numTodoTests;
  const note =
    r.numTotalTests === 0
      ? 'no test ran'
      : skipped > 0
        ? `${skipped} skipped (counted as failed)`
        : undefined;
  return {
    name,
    passed: r.numPassedTests,
    // Skipped tests are not passes: the brief counts them as defects.
    failed: failed + skipped + (r.numTotalTests === 0 ? 1 : 0),
    skipped,
    seconds,
    ...(note ? { note } : {}),
    failures,
  };
}
async function tier(name: string, cannotRun?: string): Promise<void> {
  results.push(await tierResult(name, cannotRun));
}

/**
 * After a tier that used the lab: `lab up` again (it heals: thaws a guest left frozen, resumes a
 * paused one, restarts a dead agent) and fail if it had to thaw a frozen guest — the heal must
 * never be what makes the next tier pass. Other heals are reported in the note.
 */
async function labHealthyAfter(tierName: string, healsBefore: number): Promise<void> {
  await check(`lab not left frozen by ${tierName}`, async () => {
    await mustRun('npx', ['tsx', 'test/lab/cli.ts', 'up']);
    const heals = labHeals().slice(healsBefore);
    const frozen = heals.filter((h) => h.kind === 'frozen');
    if (frozen.length > 0) {
      throw new Error(
        `the lab had to thaw a guest left frozen after the ${tierName} tier: ` +
          frozen.map((h) => `${h.guest} at ${h.at} (${h.action})`).join('; '),
      );
    }
    if (heals.length > 0) {
      log(
        `the lab healed after the ${tierName} tier: ${heals.map((h) => `${h.guest} ${h.kind} → ${h.action}`).join('; ')}`,
      );
    }
  });
}

/**
 * Before `down` (which kills them): nothing may still run as the lab user but its sshd session
 * processes once every tier has finished and closed its connections. A runner, watchdog or
 * journal follower still alive here leaked. Short grace: a session's commands exit shortly after
 * its client is gone.
 */
async function noLabUserProcesses(graceMs = 5_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  let left = await labUserProcesses();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = await labUserProcesses();
  }
  if (left.length > 0) {
    throw new Error(
      `still running as the lab user ${graceMs / 1000} s after the tiers ended: ${left.map(describeProcess).join('; ')}`,
    );
  }
}

function summary(): number {
  const rows = results.map(
    (r) =>
      `  ${r.name.padEnd(22)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(1).padStart(6)} s${r.note ? `  (${r.note})` : ''}`,
  );
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const failures = results.flatMap((r) => (r.failures ?? []).map((f) => `  [${r.name}] ${f}`));
  const failureList = failures.length > 0 ? `\nFailed:\n${failures.join('\n')}\n` : '';
  process.stdout.write(
    `\nQuiesce test tiers:\n${rows.join('\n')}\n${failureList}\n${passed} passed, ${failed} failed\n`,
  );
  return failed;
}

const started = Date.now();
// The checks that need only node_modules (typecheck, lint, build) run while apt installs the
// packages: on a clean checkout the install took 112 s instead of 85 beside them, but the unit
// tier started 30 s sooner. Those three run one after another: side by side on a clean
// checkout's 2 cores tsc and eslint took 45 s, not less.
const installing = checkResult('system packages', () =>
  ensurePackages([...DEBIAN_PACKAGES, ...GUI_PACKAGES, ...STATIC_PACKAGES], (m) => log(m)),
);
const nodeOnly: TierResult[] = [];
for (const [name, cmd, args] of [
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']],
  ['lint', 'npx', ['eslint', '.']],
  ['build', 'node', ['scripts/build.mjs']],
] as const) {
  nodeOnly.push(await checkResult(name, () => mustRun(cmd, [...args])));
}
const packages = await installing;
results.push(packages, ...nodeOnly);
const packagesOk = packages.failed === 0;
const built = nodeOnly.find((r) => r.name === 'build')?.failed === 0;
// -x follows each script's `. host-lib.sh` (its source-path directive); POSIX sh, every severity
await check('shellcheck', () => mustRun('shellcheck', ['-x', '--shell=sh', ...shellScripts()]));
// The unit tier alone: run beside the lab tiers (niced), it slowed them by as much as it saved
// (the lab's CLI file took 284 s instead of 137) and made timing-bound tests of both flaky.
await tier('unit');

let labReason: string | undefined = packagesOk ? undefined : 'system packages are missing';
if (!labReason) {
  const up = await check('lab up', () => mustRun('npx', ['tsx', 'test/lab/cli.ts', 'up']));
  if (!up) labReason = 'the lab did not come up (see "lab up" above)';
}
try {
  const labTiers: [string, string | undefined][] = [
    ['host', labReason],
    ['lab', labReason],
    ['gui', labReason ?? (built ? undefined : 'the app did not build')],
  ];
  for (const [name, cannotRun] of labTiers) {
    const healsBefore = labReason ? 0 : labHeals().length;
    await tier(name, cannotRun);
    if (!labReason) await labHealthyAfter(name, healsBefore);
  }
} finally {
  if (!labReason) {
    // Before down: down kills whatever the lab user still runs, which would hide a leak.
    await check('lab leaves no process', () => noLabUserProcesses());
  }
  if (!keepLab && !labReason) {
    await check('lab down', () => mustRun('npx', ['tsx', 'test/lab/cli.ts', 'down']));
    await check('lab down leaves no process', async () => {
      const left = await labLeftovers();
      if (left.length > 0) throw new Error(`still running after down: ${left.join('; ')}`);
    });
  }
}
log(`all tiers done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
process.exit(summary() === 0 ? 0 : 1);
