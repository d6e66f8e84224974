/**
 * The Quiesce test lab: real libvirtd + QEMU (TCG) guests with the real qemu-guest-agent, a real
 * OpenSSH sshd on 127.0.0.1 for a non-root user in group libvirt, and a libvirt test-driver node
 * with 200 domains. `npm run lab -- up|down|status` drives it (cli.ts); tests import from here.
 *
 * Everything lives in QUIESCE_LAB_DIR (default /tmp/quiesce-lab: under /tmp because the
 * libvirt-qemu user must be able to reach the images). `up` is idempotent and fast when the lab
 * is already up; `down` stops exactly what `up` started and keeps the image cache and keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  DEBIAN_PACKAGES,
  GUESTS,
  LAB_USER,
  LIBVIRT_URI,
  LISTEN_ADDRESS,
  MAX_EXTRA_AGENT_GUESTS,
  TEST_DRIVER_DOMAINS,
  labConfig,
  labPaths,
  type GuestRole,
  type LabConfig,
  type LabPaths,
} from './config.js';
import { DAEMONS, daemonExpectation, libvirtStatus, startLibvirt, stopLibvirt } from './daemons.js';
import { LabError, sleep, stderrLogger, type Logger } from './exec.js';
import { ensureGuestImage } from './guest-image.js';
import {
  definedExtraAgentGuests,
  ensureExtraAgentGuestDomains,
  ensureGuests,
  guestFiles,
  labQemuProcesses,
  readGuestWriterLog,
  readHeals,
  removeExtraAgentGuestDomain,
  removeGuests,
  setGuestWriter,
  type HealRecord,
} from './guests.js';
import { ensurePackages } from './packages.js';
import {
  descendants,
  findProcesses,
  isAlive,
  matches,
  procInfo,
  readPidFile,
  type ProcInfo,
} from './procs.js';
import {
  ensureLabUser,
  hostKeyFingerprint,
  labUserUid,
  restoreSshdHostKey,
  rotateSshdHostKey,
  scanHostKey,
  sshdPid,
  startSshd,
  stopSshd,
} from './sshd.js';
import { writeTestNode } from './test-driver.js';
import { agentCommand, domainState } from './virsh.js';

export {
  EXTRA_AGENT_GUEST_PREFIX,
  GUESTS,
  LAB_USER,
  LIBVIRT_URI,
  MAX_EXTRA_AGENT_GUESTS,
  TEST_DRIVER_DOMAINS,
  isExtraAgentGuestName,
} from './config.js';
export type { GuestRole, GuestSpec } from './config.js';
export { LabError } from './exec.js';
export { fingerprintOfPublicKey } from './sshd.js';
export {
  AWKWARD_TEST_NAMES,
  testDomains,
  type TestDomain,
  type TestDomainState,
} from './test-driver.js';
export { guestExec, type GuestExecResult } from './virsh.js';
export type { HealKind, HealRecord } from './guests.js';
export type { ProcInfo } from './procs.js';
export { WRITER_LOG } from './guest-scripts.js';

export interface LabGuest {
  name: string;
  uuid: string;
  role: GuestRole;
  state: string;
  /** Serial console of the guest (root-readable), for diagnosing boots. */
  consoleLog: string;
  /** The guest's qcow2 data disk as defined (snapshots may put overlays on top of it). */
  dataDisk: string;
}

/** What `up` prints and saves as <labdir>/profile.json: everything a client needs to connect. */
export interface LabProfile {
  address: string;
  port: number;
  user: string;
  keyPath: string;
  knownHostsPath: string;
  hostKeyFingerprint: string;
  hostKeyType: 'ssh-ed25519';
  libvirtUri: string;
  testDriverUri: string;
  testDriverDomains: number;
  guests: LabGuest[];
  labDir: string;
}

export interface LabOptions extends Partial<LabConfig> {
  /** Progress messages; default: stderr. */
  log?: Logger;
  /** Skip the Debian package check (it costs one dpkg-query). */
  skipPackages?: boolean;
}

function resolve(opts: LabOptions = {}): { cfg: LabConfig; p: LabPaths; log: Logger } {
  const cfg = labConfig(opts);
  return { cfg, p: labPaths(cfg.labDir), log: opts.log ?? stderrLogger };
}

/** libvirt-qemu must traverse every parent of the lab dir to open kernel, initrd and disks. */
function assertReachableByQemu(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(d) && (fs.statSync(d).mode & 0o001) === 0) {
      throw new LabError(
        `${d} is not searchable by others, so QEMU (user libvirt-qemu) cannot open the lab's images under ${dir}. ` +
          `Use a lab dir under /tmp (QUIESCE_LAB_DIR).`,
      );
    }
    if (d === path.dirname(d)) return;
  }
}

/**
 * One `up`/`down` at a time per lab dir: several test runners on one machine may share the lab,
 * and two `up`s racing would start two libvirtds or define a guest twice. The lock file holds
 * the owner's PID; a lock whose owner died is taken over.
 */
async function withLabLock<T>(p: LabPaths, log: Logger, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(p.run, { recursive: true });
  const lock = path.join(p.run, 'lab.lock');
  const deadline = Date.now() + 15 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch {
      const owner = readPidFile(lock);
      if (owner === undefined || !isAlive(owner) || owner === process.pid) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LabError(`lab is busy: pid ${owner} holds ${lock}`);
      if (!told) log(`waiting for another lab up/down (pid ${owner}) to finish`);
      told = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export async function labUp(opts: LabOptions = {}): Promise<LabProfile> {
  const { p, log } = resolve(opts);
  if (process.getuid?.() !== 0) {
    throw new LabError(
      'the lab must be brought up as root (it starts libvirtd, sshd and adds a user)',
    );
  }
  if (!opts.skipPackages) await ensurePackages(DEBIAN_PACKAGES, log);
  return withLabLock(p, log, () => up(opts));
}

async function up(opts: LabOptions): Promise<LabProfile> {
  const { cfg, p, log } = resolve(opts);
  const t0 = Date.now();

  fs.mkdirSync(p.labDir, { recursive: true });
  fs.chmodSync(p.labDir, 0o755);
  assertReachableByQemu(p.labDir);
  for (const d of [p.run, p.logs]) fs.mkdirSync(d, { recursive: true });

  // Independent steps overlap: the image download/build, the daemons' first start (libvirt
  // probes QEMU for ~4 s) and the SSH side.
  const [image] = await Promise.all([
    ensureGuestImage(p, log),
    startLibvirt(p, log),
    (async () => {
      await ensureLabUser(log);
      await startSshd(p, cfg.port, log);
    })(),
  ]);
  writeTestNode(p.testNodeXml);
  const uuids = await ensureGuests(image, p, log);

  const profile: LabProfile = {
    address: LISTEN_ADDRESS,
    port: cfg.port,
    user: LAB_USER,
    keyPath: p.clientKey,
    knownHostsPath: p.knownHosts,
    hostKeyFingerprint: hostKeyFingerprint(p),
    hostKeyType: 'ssh-ed25519',
    libvirtUri: LIBVIRT_URI,
    testDriverUri: `test://${p.testNodeXml}`,
    testDriverDomains: TEST_DRIVER_DOMAINS,
    guests: await Promise.all(
      GUESTS.map(async (g) => ({
        name: g.name,
        uuid: uuids.get(g.name) ?? '',
        role: g.role,
        state: (await domainState(g.name)) ?? 'undefined',
        consoleLog: guestFiles(p, g.name).console,
        dataDisk: guestFiles(p, g.name).disk,
      })),
    ),
    labDir: p.labDir,
  };
  fs.writeFileSync(p.profile, JSON.stringify(profile, null, 2) + '\n', { mode: 0o644 });
  log(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return profile;
}

export async function labDown(opts: LabOptions = {}): Promise<void> {
  const { p, log } = resolve(opts);
  return withLabLock(p, log, () => down(p, log));
}

async function down(p: LabPaths, log: Logger): Promise<void> {
  const t0 = Date.now();
  const daemons = libvirtStatus(p);
  await removeGuests(daemons.libvirtd?.running === true, log);
  // Independent, and each waits a second or two for PID 1 to reap: do them side by side.
  await Promise.all([stopSshd(p, log), stopLibvirt(p, log)]);
  const left = labQemuProcesses();
  if (left.length > 0)
    throw new LabError(
      `QEMU processes of lab guests still run: ${left.map((q) => q.pid).join(', ')}`,
    );
  // The profile describes a running lab (UUIDs change on the next up); keys and images stay.
  fs.rmSync(p.profile, { force: true });
  log(`lab down in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Every process the lab started that still runs, one readable line each (empty after a clean
 * `down`): its daemons, its sshd and session processes, QEMU of lab guests, and anything running
 * as the lab user. Recognised by program + the lab's config path, not by name alone.
 */
export async function labLeftovers(opts: Pick<LabOptions, 'labDir'> = {}): Promise<string[]> {
  const { p } = resolve(opts);
  const found = new Map<number, ProcInfo>();
  for (const d of DAEMONS)
    for (const i of findProcesses((x) => matches(x, daemonExpectation(d, p)))) found.set(i.pid, i);
  const sshd = sshdPid(p);
  if (sshd !== undefined) {
    for (const i of [procInfo(sshd), ...descendants(sshd)]) if (i) found.set(i.pid, i);
  }
  for (const i of labQemuProcesses()) found.set(i.pid, i);
  const uid = await labUserUid();
  if (uid !== undefined) for (const i of findProcesses((x) => x.uid === uid)) found.set(i.pid, i);
  return [...found.values()].map((i) => `pid ${i.pid}: ${i.argv.join(' ').slice(0, 160)}`);
}

/**
 * Processes running as the lab user now, except its SSH sessions' own sshd processes: with no
 * client connected, each one is a remote command that outlived its session (a runner, a
 * watchdog, a journal follower, `virsh event --loop`…). Check this *before* `down`, which kills
 * them all.
 */
export async function labUserProcesses(opts: { includeSshd?: boolean } = {}): Promise<ProcInfo[]> {
  const uid = await labUserUid();
  if (uid === undefined) return [];
  return findProcesses(
    (i) =>
      i.uid === uid &&
      (opts.includeSshd === true ||
        !/^sshd(-session)?$/.test(path.basename(i.exe || i.argv[0] || ''))),
  );
}

/** One readable line for a process: `pid N: argv…` (argv cut at 160 characters). */
export function describeProcess(i: ProcInfo): string {
  return `pid ${i.pid}: ${i.argv.join(' ').slice(0, 160)}`;
}

/**
 * The heals `up` has done on this lab dir (a guest left frozen, paused, or with a dead agent),
 * oldest first, from <labdir>/run/heals.jsonl. `npm test` compares the list before and after a
 * tier: a guest `up` had to thaw is a failure, whoever thawed it.
 */
export function labHeals(opts: Pick<LabOptions, 'labDir'> = {}): HealRecord[] {
  return readHeals(resolve(opts).p);
}

export interface LabStatus {
  up: boolean;
  labDir: string;
  daemons: Record<string, { pid: number | null; running: boolean }>;
  sshd: { pid: number | null; running: boolean; port: number; hostKeyFingerprint: string | null };
  guests: { name: string; role: GuestRole; state: string; agentPing: string }[];
  testDriver: { uri: string; present: boolean };
  /**
   * Processes running as the lab user right now (ssh sessions and their commands). Entries that
   * stay after the app closed its connections are remote commands it leaked.
   */
  labUserProcesses: string[];
}

export async function labStatus(opts: LabOptions = {}): Promise<LabStatus> {
  const { cfg, p } = resolve(opts);
  const daemons = libvirtStatus(p);
  const libvirtUp = Object.values(daemons).every((d) => d.running);
  const sshPid = sshdPid(p);
  const served = sshPid !== undefined ? await scanHostKey(cfg.port) : undefined;
  const guests = await Promise.all(
    GUESTS.map(async (g) => {
      const state = libvirtUp
        ? ((await domainState(g.name)) ?? 'undefined')
        : 'unknown (libvirtd down)';
      let agentPing = 'not tried';
      if (state === 'running' && g.channel) {
        const t = performance.now();
        try {
          await agentCommand(g.name, { execute: 'guest-ping' }, { timeoutSec: 5 });
          agentPing = `ok (${Math.round(performance.now() - t)} ms)`;
        } catch (e) {
          agentPing = (e as Error).message.replace(/^.*failed: /s, '');
        }
      }
      return { name: g.name, role: g.role, state, agentPing };
    }),
  );
  const agentOk = guests.every((g) => g.role !== 'agent' || g.agentPing.startsWith('ok'));
  return {
    up: libvirtUp && served !== undefined && guests.every((g) => g.state === 'running') && agentOk,
    labDir: p.labDir,
    daemons,
    sshd: {
      pid: sshPid ?? null,
      running: served !== undefined,
      port: cfg.port,
      hostKeyFingerprint: served ?? null,
    },
    guests,
    testDriver: { uri: `test://${p.testNodeXml}`, present: fs.existsSync(p.testNodeXml) },
    labUserProcesses: await (async () => {
      const uid = await labUserUid();
      if (uid === undefined) return [];
      return findProcesses((i) => i.uid === uid).map(
        (i) => `pid ${i.pid}: ${i.argv.join(' ').slice(0, 160)}`,
      );
    })(),
  };
}

/** The profile of the running lab (written by `up`). */
export function readLabProfile(opts: Pick<LabOptions, 'labDir'> = {}): LabProfile {
  const { p } = resolve(opts);
  try {
    return JSON.parse(fs.readFileSync(p.profile, 'utf8')) as LabProfile;
  } catch {
    throw new LabError(
      `no lab profile at ${p.profile}: bring the lab up first (npm run lab -- up)`,
    );
  }
}

/**
 * Makes the running sshd serve a brand-new host key (SIGHUP re-exec, same PID) and returns its
 * fingerprint. known_hosts keeps the original, so a client checking it now sees a changed key.
 */
export async function rotateHostKey(opts: Partial<LabConfig> = {}): Promise<string> {
  const cfg = labConfig(opts);
  return rotateSshdHostKey(labPaths(cfg.labDir), cfg.port);
}

/** Back to the original host key (the one in known_hosts and the profile). */
export async function restoreHostKey(opts: Partial<LabConfig> = {}): Promise<string> {
  const cfg = labConfig(opts);
  return restoreSshdHostKey(labPaths(cfg.labDir), cfg.port);
}

/**
 * One guest-agent command through libvirt (local virsh as root), e.g.
 * `guestAgentCommand("quiesce-lab-agent", {execute: "guest-fsfreeze-status"})`. Returns the
 * command's `return` value; throws LabError with libvirt's message on failure.
 */
export function guestAgentCommand(
  domain: string,
  json: string | { execute: string; arguments?: Record<string, unknown> },
  opts: { timeoutSec?: number } = {},
): Promise<unknown> {
  return agentCommand(domain, json, opts);
}

/**
 * Switches the guest's timestamp writer on (truncating /data/writer.log) or off. Needs the
 * agent, so only the agent guest can do it at run time.
 */
export function setWriter(domain: string, on: boolean): Promise<void> {
  return setGuestWriter(domain, on);
}

/** The writer's samples: guest CLOCK_MONOTONIC in ns, one line per ~10 ms tick. */
export function readWriterSamples(domain: string): Promise<number[]> {
  return readGuestWriterLog(domain);
}

/** Gaps between consecutive writer samples, in ms (a freeze shows as one large gap). */
export function writerGapsMs(samples: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < samples.length; i++)
    gaps.push(((samples[i] ?? 0) - (samples[i - 1] ?? 0)) / 1e6);
  return gaps;
}

/**
 * Makes `count` extra agent guests run beside the lab's three — `quiesce-lab-agent-2` … `-<count+1>`,
 * each a clone of the agent guest (same image, XML and boot checks) with a responding agent — and
 * removes extras beyond that count. For measurements that need several agents (e.g. several hung
 * at once). The lab must be up. The caller removes them with removeExtraAgentGuests() when done:
 * the tiers expect exactly three guests. `down` removes any left over.
 */
export async function ensureExtraAgentGuests(
  count: number,
  opts: LabOptions = {},
): Promise<{ name: string; uuid: string }[]> {
  const { p, log } = resolve(opts);
  if (!Number.isInteger(count) || count < 0 || count > MAX_EXTRA_AGENT_GUESTS)
    throw new LabError(`extra agent guests: 0..${MAX_EXTRA_AGENT_GUESTS}, got ${count}`);
  return withLabLock(p, log, async () => {
    const daemons = libvirtStatus(p);
    if (!Object.values(daemons).every((d) => d.running))
      throw new LabError('the lab is not up (libvirtd is not running): run `npm run lab -- up`');
    const image = await ensureGuestImage(p, log);
    return ensureExtraAgentGuestDomains(count, image, p, log);
  });
}

/** Removes every extra agent guest (domain and folder); returns the names removed. */
export async function removeExtraAgentGuests(opts: LabOptions = {}): Promise<string[]> {
  const { p, log } = resolve(opts);
  return withLabLock(p, log, async () => {
    const names = await definedExtraAgentGuests();
    await Promise.all(names.map((n) => removeExtraAgentGuestDomain(n, p, log)));
    return names;
  });
}
