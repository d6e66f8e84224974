/** Small helpers shared by the bench modules: progress on stderr, timing, medians. */

/** Progress and diagnostics: always stderr, stdout is reserved for the result. */
export type Log = (message: string) => void;

const started = performance.now();

export const log: Log = (message) => {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${t}s] ${message}\n`);
};

/** The bench could not measure (lab down, a call failed, a check of the setup failed). */
export class BenchError extends Error {
  override name = 'BenchError';
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The p-th percentile (0 < p ≤ 100) by the nearest-rank method: always one of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of nothing');
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1]!;
}

/** Runs fn and returns its result with the wall-clock time it took, in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export const fmtMs = (ms: number) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;

export const fmtSamples = (samples: readonly number[]) =>
  samples.map((ms) => Math.round(ms)).join(', ');

type ConnectSsh = typeof import('../electron/services/ssh/ssh-connection').connectSsh;

/** A connection to the lab's sshd with its key, checked against its known_hosts, as the app makes one. */
export async function connectToLab(
  connectSsh: ConnectSsh,
  profile: import('../test/lab/lab.js').LabProfile,
): Promise<Extract<Awaited<ReturnType<ConnectSsh>>, { kind: 'connected' }>['connection']> {
  const outcome = await connectSsh(
    {
      host: profile.address,
      port: profile.port,
      user: profile.user,
      auth: { kind: 'key', keyPath: profile.keyPath },
    },
    { knownHostsPath: profile.knownHostsPath },
  );
  if (outcome.kind !== 'connected')
    throw new BenchError(`cannot connect to the lab sshd (${outcome.kind})`);
  return outcome.connection;
}
