/**
 * Running commands and waiting for things. The lab drives real system tools (apt, virsh,
 * ssh-keygen, qemu-img…), so every call goes through `run`, which never uses a shell: arguments
 * are passed as an array and nothing is ever interpolated into a command line.
 */
import { spawn } from 'node:child_process';

export type Logger = (message: string) => void;

const started = Date.now();

/** Progress goes to stderr: stdout of the CLI is reserved for the one JSON object. */
export const stderrLogger: Logger = (message) => {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[lab ${t}s] ${message}\n`);
};

export const silentLogger: Logger = () => {};

export class LabError extends Error {
  override name = 'LabError';
}

export interface RunOptions {
  input?: string | Buffer;
  /** Kill the command (SIGKILL) after this long. Default 120 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Throw on a non-zero exit (default true). */
  check?: boolean;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBuffer: Buffer;
  stderr: string;
  ms: number;
}

/** Last lines of a text, for error messages that show evidence without flooding the screen. */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

export function run(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new LabError(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBuffer = Buffer.concat(out);
      const result: RunResult = {
        code,
        signal,
        stdout: stdoutBuffer.toString('utf8'),
        stdoutBuffer,
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - t0,
      };
      const shown = [cmd, ...args].join(' ');
      if (timedOut) {
        reject(
          new LabError(
            `timed out after ${timeoutMs} ms: ${shown}\n${tail(result.stderr || result.stdout)}`,
          ),
        );
      } else if (code !== 0 && opts.check !== false) {
        reject(
          new LabError(
            `command failed (exit ${code ?? signal}): ${shown}\n${tail(result.stderr || result.stdout)}`,
          ),
        );
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => {}); // a command that exits early must not crash us with EPIPE
    child.stdin.end(opts.input ?? '');
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a value other than undefined. The lab runs on a busy 2-core
 * machine under TCG, so callers pass generous timeouts; `describe` builds the error message
 * (it may gather evidence such as a console log tail).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs: number; intervalMs?: number; describe: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new LabError(await opts.describe());
    await sleep(opts.intervalMs ?? 250);
  }
}
