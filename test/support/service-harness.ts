import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import type { AppErrorShape } from '../../shared/errors';
import type { AppEvent } from '../../shared/events';
import { createDispatcher } from '../../electron/services/dispatch';
import { createQuiesceService } from '../../electron/services/quiesce-service';
import type { Keychain } from '../../electron/services/secrets/passphrase-vault';
import { connectLabHost, knownHostsForPort } from './lab-session';

/** The lab's connection profile, as `npm run lab -- up` printed and saved it. */
export interface LabProfileShape {
  address: string;
  port: number;
  user: string;
  keyPath: string;
  knownHostsPath: string;
  hostKeyFingerprint: string;
  hostKeyType: string;
  libvirtUri: string;
  testDriverUri: string;
  testDriverDomains: number;
  guests: { name: string; uuid: string; role: string; state: string }[];
}

export function labProfile(): LabProfileShape {
  const path = join(process.env.QUIESCE_LAB_DIR ?? '/tmp/quiesce-lab', 'profile.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LabProfileShape;
  } catch (err) {
    throw new Error(
      `The lab is not up (${path}: ${(err as Error).message}). Run "npm run lab -- up" or "npm test".`,
    );
  }
}

/**
 * The real services, as either shell runs them, with a throw-away data folder and known_hosts
 * (never the admin's own), called through the same dispatcher, so validation is exercised too.
 */
export function serviceHarness(
  opts: {
    knownHosts?: string;
    agentSocket?: string;
    /** Fault injection: the runner holds the guest frozen this long before the cut. */
    holdFrozenMs?: number;
    operationAgentTimeoutS?: number;
    /** Test-only: a restore from an export copies at this many bytes/s. */
    restoreCopyRate?: number;
    dataDir?: string;
    /** The OS keychain the desktop shell would hand over (absent: the browser shell's none). */
    keychain?: Keychain;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-host-tier-'));
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, opts.knownHosts ?? '');
  const events: AppEvent[] = [];
  const service = createQuiesceService({
    dataDir: opts.dataDir ?? join(dir, 'data'),
    knownHostsPath,
    emit: (e) => events.push(e),
    ...(opts.agentSocket ? { agentSocket: opts.agentSocket } : {}),
    ...(opts.keychain ? { keychain: opts.keychain } : {}),
    ...(opts.holdFrozenMs ? { holdFrozenMs: opts.holdFrozenMs } : {}),
    ...(opts.operationAgentTimeoutS ? { operationAgentTimeoutS: opts.operationAgentTimeoutS } : {}),
    ...(opts.restoreCopyRate ? { restoreCopyRate: opts.restoreCopyRate } : {}),
  });
  const dispatch = createDispatcher(service.handlers);
  async function call<M extends MethodName>(
    method: M,
    input: MethodInput<M>,
  ): Promise<MethodOutput<M>> {
    const r = await dispatch(method, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { shape: r.error });
    return r.value as MethodOutput<M>;
  }
  async function callError(method: MethodName, input: unknown): Promise<AppErrorShape> {
    const r = await dispatch(method, input);
    if (r.ok) throw new Error(`${method} succeeded but was expected to fail`);
    return r.error;
  }
  return { dir, knownHostsPath, events, call, callError, dispose: service.dispose };
}

export { labHostDraft } from './lab-session';

/**
 * The lab tier's usual start: the lab's profile and an app session (the real services) trusting
 * the lab sshd's key, with the lab host saved and connected — on `port` when given (a relay in
 * front of the sshd). Throws, with the status, when it does not connect.
 */
export async function connectedLabSession(
  opts: Parameters<typeof serviceHarness>[0] & { port?: number } = {},
) {
  const { port, ...harness } = opts;
  const p = labProfile();
  const knownHosts = readFileSync(p.knownHostsPath, 'utf8');
  const h = serviceHarness({
    knownHosts: port ? knownHostsForPort(knownHosts, p, port) : knownHosts,
    ...harness,
  });
  try {
    const hostId = await connectLabHost(h, p, port ? { port } : {});
    return { p, h, hostId };
  } catch (err) {
    h.dispose();
    throw err;
  }
}
