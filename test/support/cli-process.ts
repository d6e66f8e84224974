import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostStore } from '../../electron/services/hosts/host-store';
import type { HostProfile } from '../../shared/hosts';
import { labHostDraft } from './lab-session';
import type { LabProfileShape } from './service-harness';

/**
 * The `quiesce` command as an admin runs it: the file scripts/build.mjs builds
 * (dist/cli/quiesce.mjs), in its own process, so exit codes, stdout and stderr are the real ones.
 */
export const CLI = 'dist/cli/quiesce.mjs';

/** Builds the command line only (seconds, no renderer), as `npm run quiesce` does. */
export function buildCli(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { stdio: 'inherit' });
}

export interface CliRun {
  exit: number | null;
  stdout: string;
  stderr: string;
  /** stdout read as the --json envelope (undefined when it is not JSON). */
  json: { exit: number; outcome: string; result: unknown; error?: { message: string } } | undefined;
  /** When each stderr chunk arrived, ms after the start, with its text. */
  stderrChunks: { at: number; text: string }[];
  /** When the process exited, ms after the start. */
  exitedAt: number;
}

/** Runs `quiesce ARGS` with the app's folders pointed at `app` (never the admin's own). */
export function runQuiesce(
  args: string[],
  app: { dataDir: string; knownHostsPath: string },
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<CliRun> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      ...process.env,
      QUIESCE_DATA_DIR: app.dataDir,
      QUIESCE_KNOWN_HOSTS: app.knownHostsPath,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const stderrChunks: CliRun['stderrChunks'] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) =>
    stderrChunks.push({ at: Date.now() - t0, text: d.toString() }),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exit) => {
      clearTimeout(timer);
      let json: CliRun['json'];
      try {
        json = JSON.parse(stdout) as CliRun['json'];
      } catch {
        json = undefined;
      }
      resolve({
        exit,
        stdout,
        stderr: stderrChunks.map((c) => c.text).join(''),
        json,
        stderrChunks,
        exitedAt: Date.now() - t0,
      });
    });
  });
}

/**
 * A throw-away app folder holding the lab host's profile, saved by the app's own store, and a
 * known_hosts file with `knownHosts` in it (empty: the host's key is unknown).
 */
export async function appWithLabHost(
  p: LabProfileShape,
  knownHosts = '',
  extra: Record<string, unknown> = {},
): Promise<{ dataDir: string; knownHostsPath: string; host: HostProfile }> {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-cli-'));
  const dataDir = join(dir, 'app');
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, knownHosts);
  const host = await new HostStore(dataDir).save(labHostDraft(p, extra));
  return { dataDir, knownHostsPath, host };
}
