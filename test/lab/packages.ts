/**
 * Debian packages. A fresh machine has none of the lab's tools, so `up` installs what is
 * missing; when everything is present it costs one dpkg-query call and prints nothing.
 */
import fs from 'node:fs';
import { LabError, run, type Logger } from './exec.js';

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** Packages from `wanted` that dpkg does not report as installed ("ii"). */
export async function missingPackages(wanted: readonly string[]): Promise<string[]> {
  // dpkg-query exits 1 when it knows nothing of some name; its stdout still lists the rest.
  const res = await run(
    'dpkg-query',
    ['-W', '-f', '${Package} ${db:Status-Abbrev}\\n', ...wanted],
    {
      check: false,
    },
  );
  const installed = new Set(
    res.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, status]) => status === 'ii')
      .map(([name]) => name),
  );
  return wanted.filter((p) => !installed.has(p));
}

/** `apt-get update` at most once per process: it is slow and its result does not change. */
let aptUpdated: Promise<void> | undefined;
export function aptUpdateOnce(log: Logger): Promise<void> {
  aptUpdated ??= (async () => {
    log('apt-get update');
    await run('apt-get', ['update', '-q'], { env: APT_ENV, timeoutMs: 600_000 });
  })();
  return aptUpdated;
}

export async function ensurePackages(wanted: readonly string[], log: Logger): Promise<void> {
  const missing = await missingPackages(wanted);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new LabError(
      `missing Debian packages (${missing.join(' ')}) and not root: install them first`,
    );
  }
  await aptUpdateOnce(log);
  log(`installing Debian packages: ${missing.join(' ')} (about a minute)`);
  // Package scripts would start the system's own sshd/libvirtd through invoke-rc.d; the lab runs
  // its own daemons, so deny service starts for the duration (unless a policy already exists).
  const addedPolicy = !fs.existsSync(POLICY_RC_D);
  if (addedPolicy)
    fs.writeFileSync(
      POLICY_RC_D,
      '#!/bin/sh\n# quiesce lab: no service starts during install\nexit 101\n',
      { mode: 0o755 },
    );
  try {
    const t0 = Date.now();
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
      env: APT_ENV,
      timeoutMs: 900_000,
    });
    log(`packages installed (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } finally {
    if (addedPolicy) fs.rmSync(POLICY_RC_D, { force: true });
  }
  const still = await missingPackages(wanted);
  if (still.length > 0)
    throw new LabError(`apt-get finished but these are still missing: ${still.join(' ')}`);
}
