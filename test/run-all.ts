/**
 * `npm test`: every tier, in order, on a fresh Debian machine or this one.
 *
 *   system packages → static checks → build → unit → lab up → host → lab → gui → lab down
 *
 * It installs what the tiers need (as root), prints each tier's counts, and ends with the line
 * `N passed, N failed`. A tier that cannot run counts as failed with its reason: nothing is
 * skipped silently. `--keep-lab` leaves the lab running for the next run (developers only).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_PACKAGES } from './lab/config';
import { ensurePackages } from './lab/packages';
import { labLeftovers } from './lab/lab';

interface TierResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  note?: string;
}

const GUI_PACKAGES = ['chromium', 'openssh-client', 'fonts-dejavu-core'];
const results: TierResult[] = [];
const keepLab = process.argv.includes('--keep-lab');
const resultsDir = 'test-results';
mkdirSync(resultsDir, { recursive: true });

function log(msg: string): void {
  process.stderr.write(`\n[quiesce test] ${msg}\n`);
}

/** Runs a command with inherited output; resolves with its exit code. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}

/** A step that is one check: it passes or fails as a whole. */
async function check(name: string, fn: () => Promise<void>): Promise<boolean> {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, passed: 1, failed: 0, skipped: 0, seconds: (Date.now() - t0) / 1000 });
    return true;
  } catch (err) {
    const note = err instanceof Error ? err.message : String(err);
    log(`${name} FAILED: ${note}`);
    results.push({
      name,
      passed: 0,
      failed: 1,
      skipped: 0,
      seconds: (Date.now() - t0) / 1000,
      note,
    });
    return false;
  }
}

async function mustRun(cmd: string, args: string[]): Promise<void> {
  const code = await run(cmd, args);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}`);
}

/** One vitest project; counts come from its JSON report, so they cannot drift from the truth. */
async function tier(name: string, cannotRun?: string): Promise<void> {
  if (cannotRun) {
    log(`tier ${name} cannot run: ${cannotRun}`);
    results.push({
      name,
      passed: 0,
      failed: 1,
      skipped: 0,
      seconds: 0,
      note: `cannot run: ${cannotRun}`,
    });
    return;
  }
  const t0 = Date.now();
  const report = join(resultsDir, `${name}.json`);
  log(`tier ${name}`);
  const code = await run('npx', [
    'vitest',
    'run',
    '--project',
    name,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  const seconds = (Date.now() - t0) / 1000;
  if (!existsSync(report)) {
    results.push({
      name,
      passed: 0,
      failed: 1,
      skipped: 0,
      seconds,
      note: `vitest exited ${code} without a report`,
    });
    return;
  }
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numTotalTests: number;
    numFailedTestSuites: number;
  };
  // A suite that failed to load has no failed test but must still fail the tier.
  const failed =
    r.numFailedTests + r.numFailedTestSuites + (code !== 0 && r.numFailedTests === 0 ? 1 : 0);
  const skipped = r.numPendingTests + r.numTodoTests;
  const note =
    r.numTotalTests === 0
      ? 'no test ran'
      : skipped > 0
        ? `${skipped} skipped (counted as failed)`
        : undefined;
  results.push({
    name,
    passed: r.numPassedTests,
    // Skipped tests are not passes: the brief counts them as defects.
    failed: failed + skipped + (r.numTotalTests === 0 ? 1 : 0),
    skipped,
    seconds,
    ...(note ? { note } : {}),
  });
}

function summary(): number {
  const rows = results.map(
    (r) =>
      `  ${r.name.padEnd(22)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(1).padStart(6)} s${r.note ? `  (${r.note})` : ''}`,
  );
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  process.stdout.write(
    `\nQuiesce test tiers:\n${rows.join('\n')}\n\n${passed} passed, ${failed} failed\n`,
  );
  return failed;
}

const started = Date.now();
const packagesOk = await check('system packages', () =>
  ensurePackages([...DEBIAN_PACKAGES, ...GUI_PACKAGES], (m) => log(m)),
);
await check('typecheck', () => mustRun('npx', ['tsc', '--noEmit', '-p', '.']));
await check('lint', () => mustRun('npx', ['eslint', '.']));
const built = await check('build', () => mustRun('node', ['scripts/build.mjs']));
await tier('unit');

let labReason: string | undefined = packagesOk ? undefined : 'system packages are missing';
if (!labReason) {
  const up = await check('lab up', () => mustRun('npx', ['tsx', 'test/lab/cli.ts', 'up']));
  if (!up) labReason = 'the lab did not come up (see "lab up" above)';
}
try {
  await tier('host', labReason);
  await tier('lab', labReason);
  await tier('gui', labReason ?? (built ? undefined : 'the app did not build'));
} finally {
  if (!keepLab && !labReason) {
    await check('lab down', () => mustRun('npx', ['tsx', 'test/lab/cli.ts', 'down']));
    await check('lab leaves no process', async () => {
      const left = await labLeftovers();
      if (left.length > 0) throw new Error(`still running after down: ${left.join('; ')}`);
    });
  }
}
log(`all tiers done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
process.exit(summary() === 0 ? 0 : 1);
