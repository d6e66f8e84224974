/**
 * The randomized soak (issue 8, item 3): N consistent snapshots of the lab's agent guest with its
 * writer running, each with one seeded random fault at a random moment, and after each run the
 * host-side checks the product promises — never left frozen, never mislabelled, nothing lost —
 * read as root beside the app, never through it.
 *
 * The app is the real services (test/support/service-harness.ts), reaching the lab's sshd
 * through a TcpRelay so the link can be cut. Between runs the guest is put back as it was (thawed,
 * running, no snapshots, the chain back to its base) so every run starts alike.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OperationSummary, SnapshotLabel } from '../../shared/snapshot';
import * as journal from '../../electron/services/snapshot/journal';
import { labConfig, labPaths } from '../lab/config';
import { DAEMONS, daemonExpectation, daemonPid, startLibvirt } from '../lab/daemons';
import { run, sleep } from '../lab/exec';
import {
  guestAgentCommand,
  guestExec,
  readWriterSamples,
  setWriter,
  writerGapsMs,
} from '../lab/lab';
import { isAlive, procInfo, stopProcess } from '../lab/procs';
import {
  labHostDraft,
  labProfile,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';
import { TcpRelay } from '../support/tcp-relay';
import { describePlan, FAULT_KINDS, planRun, type FaultKind, type RunPlan } from './faults';
import {
  agentAnswers,
  backingChain,
  backingOf,
  diskTops,
  domainState,
  filesInUse,
  freezeStatus,
  imageFiles,
  imageInfo,
  liveSources,
  lockState,
  needsRecovery,
  snapshotNames,
  snapshotOverlays,
  userProcessesMentioning,
  virshOk,
  virshRoot,
  type LockState,
} from './host';
import {
  FreezeMonitor,
  JournalTail,
  journalProblems,
  parseEvents,
  type FrozenInterval,
} from './monitor';

export interface SoakOptions {
  runs: number;
  seed: number;
  /** The maximum freeze asked of every snapshot (s); small so runs are short. Default 3. */
  maxFreezeS?: number;
  /** Bound on the runner's agent calls (s), the app's operationAgentTimeoutS. Default: the app's. */
  agentTimeoutS?: number;
  /** Only these fault kinds (default: all). */
  kinds?: readonly FaultKind[];
  /** Only these run indexes (0-based), each with the plan it has in the full soak. */
  only?: readonly number[];
  /** Keep the orphan overlays the soak saw at the end (default: remove them). */
  keepOrphans?: boolean;
  log?: (line: string) => void;
}

/** Labels that claim the image is consistent: on an image that needs recovery, a lie. */
const CLAIMS_CONSISTENT = new Set(['quiesced', 'paused', 'offline', 'test-freeze']);

export interface OpRecord {
  opId: string;
  name: string;
  /** What the app shows after the run (snapshot.get, else operations.list). */
  state: string;
  label?: string;
  labelText?: string;
  error?: string;
  windowMs?: number | null;
  watchdog?: string;
  /** The same journal read by the app's own summarize (labels compared with the app's). */
  journalState: string;
  journalLabel?: string;
  journalProblems: string[];
  runnerPid?: number;
  /** Processes of the SSH user naming this operation's folder 10 s after it ended (runner,
   * watchdog — or the live app's journal follower, which is not a leak by itself). */
  leftProcesses: string[];
}

export interface SnapshotCheck {
  overlay: string;
  /** The image as of the cut: the overlay's backing file, from qemu-img. */
  frozenImage?: string;
  needsRecovery?: boolean;
  error?: string;
  opId?: string;
  libvirtName?: string;
  label?: string;
  mislabelled: boolean;
}

export interface RunRecord {
  run: number;
  kind: FaultKind;
  plan: string;
  params: RunPlan;
  injected: { atMs?: number; phase?: string; note?: string };
  ops: OpRecord[];
  /** Longest frozen interval seen by the freeze poller (upper bound), ms; null if never frozen. */
  frozenMs: number | null;
  frozenIntervals: FrozenInterval[];
  leftFrozen: boolean;
  /** Frozen longer than max freeze + 2 s. */
  tooLongFrozen: boolean;
  /**
   * The longest freeze, less the part of it libvirtd was down (nothing reaches the agent then):
   * how long the guest stayed frozen by Quiesce's doing.
   */
  frozenBeyondOutageMs: number | null;
  /** Longest gap in the guest writer's log (guest-observed blocked writes, pauses), ms. */
  writerMaxGapMs?: number;
  domainStateAfter: string;
  snapshots: SnapshotCheck[];
  mislabelled: number;
  /** Files the domain's chains name that do not exist. */
  lost: string[];
  lock: { state: LockState | 'unknown'; form?: string; detail?: string };
  /** Overlay files in the image folders that no chain uses after this run. */
  orphans: string[];
  /** Of those, the ones this run left (not there after the previous run). */
  newOrphans: string[];
  /** Orphans of earlier runs that were gone after this run (cleaned by this run's runner). */
  orphansCleaned: string[];
  /** An operation that did not end within 2 minutes (its runner is then killed by pid). */
  stuck: string[];
  notes: string[];
  durationMs: number;
}

export interface SoakReport {
  runs: number;
  seed: number;
  maxFreezeS: number;
  faults: Record<string, number>;
  maxFrozenMs: number;
  /** maxFrozenMs less any part of a freeze during which libvirtd was down (see frozenBeyondOutageMs). */
  maxFrozenBeyondOutageMs: number;
  leftFrozen: number;
  mislabelled: number;
  lost: number;
  orphans: number;
  tooLongFrozen: number;
  badJournals: number;
  locksHeld: number;
  stuck: number;
  orphansCleanedByRunner: number;
  orphansRemaining: number;
  snapshotsChecked: number;
  snapshotsNeedingRecovery: number;
  /** Runs (with seed) that broke a promise: replay one with `--seed S --only R`. */
  failedRuns: number[];
  violations: string[];
  ok: boolean;
  aborted?: string;
  startedAt: string;
  durationMs: number;
  details: RunRecord[];
}

interface Ctx {
  p: LabProfileShape;
  seed: number;
  maxFreezeS: number;
  agentTimeoutS?: number;
  uri: string;
  domain: string;
  guestName: string;
  hostDir: string;
  labUid: number;
  tag: string;
  relay: TcpRelay;
  knownHosts: string;
  /** Each disk's base image: what the chain is brought back to between runs. */
  baseTops: Map<string, string>;
  imageDirs: Set<string>;
  preexisting: Set<string>;
  /** Orphans seen so far and not yet gone. */
  orphans: Set<string>;
  orphansEver: Set<string>;
  orphansCleaned: number;
  log: (line: string) => void;
  tmpDirs: string[];
}

type Harness = ReturnType<typeof serviceHarness>;
interface App {
  h: Harness;
  hostId: string;
  dataDir: string;
}

const J = journal as unknown as {
  summarize: (opId: string, events: unknown[], runnerGone?: boolean) => OperationSummary;
};

function labelText(l: SnapshotLabel | undefined): string | undefined {
  if (!l) return undefined;
  switch (l.kind) {
    case 'quiesced':
    case 'test-freeze':
      return `${l.kind} (${l.filesystems})`;
    case 'crash-consistent':
      return `crash-consistent: ${l.reason}`;
    default:
      return l.kind;
  }
}

function userInfo(user: string): { home: string; uid: number } {
  const line = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).trim();
  const f = line.split(':');
  return { home: f[5] ?? `/home/${user}`, uid: Number(f[2]) };
}

function groupId(group: string): number {
  return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
}

// ------------------------------------------------------------------------------------- the app

async function connectApp(
  ctx: Ctx,
  opts: { holdFrozenMs?: number; dataDir: string },
  hostId?: string,
): Promise<App> {
  const h = serviceHarness({
    knownHosts: ctx.knownHosts,
    dataDir: opts.dataDir,
    ...(opts.holdFrozenMs ? { holdFrozenMs: opts.holdFrozenMs } : {}),
    ...(ctx.agentTimeoutS ? { operationAgentTimeoutS: ctx.agentTimeoutS } : {}),
  });
  ctx.tmpDirs.push(h.dir);
  const id =
    hostId ?? (await h.call('hosts.save', labHostDraft(ctx.p, { port: ctx.relay.port }))).id;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await h.call('hosts.connect', { hostId: id });
      if (r.status === 'connected') break;
      throw new Error(`hosts.connect: ${JSON.stringify(r).slice(0, 200)}`);
    } catch (e) {
      if (Date.now() > deadline) {
        h.dispose();
        throw e;
      }
      await sleep(500);
    }
  }
  return { h, hostId: id, dataDir: opts.dataDir };
}

async function startSnapshot(ctx: Ctx, app: App, name: string): Promise<string> {
  const { opId } = await app.h.call('snapshot.start', {
    hostId: app.hostId,
    uuid: ctx.domain,
    name,
    description: `quiesce soak seed ${ctx.seed}`,
    policy: 'require',
    maxFreezeS: ctx.maxFreezeS,
  });
  return opId;
}

/** What the app says of an operation once it has ended (snapshot.get, else operations.list). */
async function appOutcome(
  app: App,
  opId: string,
  timeoutMs = 30_000,
): Promise<OperationSummary | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: OperationSummary | undefined;
  for (;;) {
    try {
      const s = (await app.h.call('snapshot.get', { hostId: app.hostId, opId })).summary;
      last = s;
      if (s.state !== 'running') return s;
    } catch {
      // not tracked by this app instance (restarted), or reconnecting
    }
    try {
      const o = (await app.h.call('operations.list', { hostId: app.hostId })).operations.find(
        (x) => x.opId === opId,
      );
      if (o) last = o;
      if (o && o.state !== 'running') return o;
    } catch {
      // reconnecting
    }
    if (Date.now() > deadline) return last;
    await sleep(500);
  }
}

// ------------------------------------------------------------------------- the full overlay folder

interface FullFolder {
  dir: string;
  layers: string[];
  filler: string;
  mounted: boolean;
  /** QEMU's pid when the tmpfs is attached in its mount namespace too. */
  qemuPid?: number;
}

/**
 * "The overlay folder is full", without filling the machine: a small tmpfs becomes the folder of
 * the guest's current top image (root adds one layer there, libvirt metadata-less), so the
 * runner creates its overlays there; at the fault's moment the tmpfs is filled up. With a
 * preallocated layer only new files fail; with a sparse one the guest's own writes fail too
 * (QEMU then pauses it: "paused (ioerror)"), as on a real full disk.
 */
async function prepareFullFolder(
  ctx: Ctx,
  prealloc: boolean,
  notes: string[],
): Promise<FullFolder> {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'quiesce-soak-full-'));
  const full: FullFolder = { dir, layers: [], filler: path.join(dir, 'filler'), mounted: false };
  try {
    await setUpFullFolder(ctx, full, prealloc);
  } catch (e) {
    await unmountFull(full, notes);
    throw e;
  }
  return full;
}

/**
 * libvirt starts QEMU in a mount namespace of its own (private /dev), and this host's mounts do
 * not propagate: a tmpfs mounted now would stay invisible to QEMU. So the very same tmpfs is
 * attached in QEMU's namespace too (open_tree + setns + move_mount, kernel ≥ 5.2): both see one
 * filesystem at one path.
 */
const ATTACH_MOUNT_PY = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
src, pid, dst = sys.argv[1], sys.argv[2], sys.argv[3]
fd = libc.syscall(428, -100, src.encode(), 1 | 0o2000000)
if fd < 0: sys.exit("open_tree: " + os.strerror(ctypes.get_errno()))
ns = os.open("/proc/%s/ns/mnt" % pid, os.O_RDONLY)
if libc.setns(ns, 0x00020000) != 0: sys.exit("setns: " + os.strerror(ctypes.get_errno()))
if libc.syscall(429, fd, b"", -100, dst.encode(), 4) != 0:
    sys.exit("move_mount: " + os.strerror(ctypes.get_errno()))
`;

function qemuPidOf(guestName: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(`/run/libvirt/qemu/${guestName}.pid`, 'utf8').trim());
    return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function setUpFullFolder(ctx: Ctx, full: FullFolder, prealloc: boolean): Promise<void> {
  const dir = full.dir;
  const tops = await diskTops(ctx.uri, ctx.domain);
  let virtMb = 0;
  for (const t of tops)
    virtMb += Math.ceil(((await imageInfo(t.source))['virtual-size'] ?? 0) / 2 ** 20);
  const sizeMb = (prealloc ? virtMb : 0) + 24;
  await run('mount', [
    '-t',
    'tmpfs',
    '-o',
    `size=${sizeMb}m,mode=2775,gid=${groupId('libvirt')}`,
    'quiesce-soak-full',
    dir,
  ]);
  full.mounted = true;
  const qemuPid = qemuPidOf(ctx.guestName);
  if (
    qemuPid &&
    fs.readlinkSync(`/proc/${qemuPid}/ns/mnt`) !== fs.readlinkSync('/proc/self/ns/mnt')
  ) {
    await run('python3', ['-c', ATTACH_MOUNT_PY, dir, String(qemuPid), dir]);
    full.qemuPid = qemuPid;
  }
  const specs: string[] = [];
  for (const t of tops) {
    const info = await imageInfo(t.source);
    const layer = path.join(
      dir,
      `${path.basename(t.source).replace(/\.qcow2$/, '')}.soakfull.qcow2`,
    );
    await run('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      info.format ?? 'qcow2',
      '-b',
      t.source,
      // qemu-img refuses a preallocated layer over a backing file without extended L2 entries
      ...(prealloc ? ['-o', 'preallocation=falloc,extended_l2=on'] : []),
      layer,
      String(info['virtual-size'] ?? 0),
    ]);
    // QEMU opens it as its own user: give it the owner and mode of the image it sits on.
    const st = fs.statSync(t.source);
    fs.chownSync(layer, st.uid, st.gid);
    fs.chmodSync(layer, st.mode & 0o777);
    full.layers.push(layer);
    specs.push('--diskspec', `${t.target},snapshot=external,file=${layer}`);
  }
  await virshOk(ctx.uri, [
    'snapshot-create-as',
    ctx.domain,
    '--no-metadata',
    '--disk-only',
    '--atomic',
    '--reuse-external',
    ...specs,
  ]);
}

/** Fills the tmpfs to the last byte. */
function fillUp(full: FullFolder): void {
  const fd = fs.openSync(full.filler, 'a');
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const buf = Buffer.alloc(size);
      try {
        for (;;) fs.writeSync(fd, buf);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function unmountFull(full: FullFolder, notes: string[]): Promise<void> {
  fs.rmSync(full.filler, { force: true });
  for (const l of full.layers) fs.rmSync(l, { force: true });
  if (full.qemuPid && isAlive(full.qemuPid)) {
    const r = await run('nsenter', ['-t', String(full.qemuPid), '-m', 'umount', full.dir], {
      check: false,
    });
    if (r.code !== 0) {
      notes.push(`tmpfs in QEMU's namespace busy: lazily unmounted (${r.stderr.trim()})`);
      await run('nsenter', ['-t', String(full.qemuPid), '-m', 'umount', '-l', full.dir], {
        check: false,
      });
    }
  }
  full.qemuPid = undefined;
  if (full.mounted) {
    for (let i = 0; i < 10; i++) {
      const r = await run('umount', [full.dir], { check: false });
      if (r.code === 0) {
        full.mounted = false;
        break;
      }
      await sleep(500);
    }
    if (full.mounted) {
      notes.push(`tmpfs ${full.dir} busy: lazily unmounted`);
      await run('umount', ['-l', full.dir], { check: false });
      full.mounted = false;
    }
  }
  fs.rmSync(full.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------- clean state

/**
 * Puts the guest back as every run expects it: running, thawed, agent answering, no snapshots,
 * each disk's chain back to its base image. Files this brings out of use (merged overlays) are
 * removed; a guest found frozen is thawed here but must have been counted by the caller first.
 */
async function restoreDomain(ctx: Ctx, notes: string[], usedAtEnd?: Set<string>): Promise<void> {
  const st = await domainState(ctx.uri, ctx.domain);
  if (st.startsWith('paused')) {
    notes.push(`restore: resumed a guest found ${st}`);
    await virshOk(ctx.uri, ['resume', ctx.domain]);
  } else if (!st.startsWith('running')) {
    throw new Error(
      `the agent guest is ${st}: the soak cannot continue (npm run lab -- up heals it)`,
    );
  }
  const deadline = Date.now() + 40_000;
  while (!(await agentAnswers(ctx.uri, ctx.domain, 2))) {
    if (Date.now() > deadline)
      throw new Error('the guest agent does not answer (40 s): the soak cannot continue');
    await sleep(500);
  }
  if ((await freezeStatus(ctx.uri, ctx.domain, 5)).value === 'frozen') {
    notes.push('restore: thawed');
    await guestAgentCommand(ctx.guestName, { execute: 'guest-fsfreeze-thaw' }, { timeoutSec: 10 });
  }
  // The files in use as the run left them (its last scan, when it got that far): what the
  // restore brings out of use is what it then removes.
  const usedBefore = usedAtEnd ?? (await filesInUse(ctx.uri));
  // Snapshots, children first (external ones merge back on libvirt ≥ 9.0, as the lab tier does).
  const names = (await snapshotNames(ctx.uri, ctx.domain)).reverse();
  for (const n of names) {
    const r = await virshRoot(ctx.uri, ['snapshot-delete', ctx.domain, '--snapshotname', n], {
      timeoutMs: 120_000,
    });
    if (r.code !== 0) notes.push(`restore: snapshot-delete ${n}: ${r.stderr.trim()}`);
  }
  // Whatever is still above the base (metadata-less cuts, a failed delete, the full-folder
  // layer): an active commit down to the base, then forget any snapshot metadata left.
  for (const t of await diskTops(ctx.uri, ctx.domain)) {
    const base = ctx.baseTops.get(t.target);
    if (!base || t.source === base) continue;
    await virshOk(
      ctx.uri,
      ['blockcommit', ctx.domain, t.target, '--active', '--pivot', '--wait', '--base', base],
      180_000,
    );
    notes.push(`restore: committed ${t.target} down to ${path.basename(base)}`);
  }
  for (const n of (await snapshotNames(ctx.uri, ctx.domain)).reverse()) {
    await virshOk(ctx.uri, ['snapshot-delete', ctx.domain, '--snapshotname', n, '--metadata']);
    notes.push(`restore: removed metadata of snapshot ${n}`);
  }
  // What is in use now, and the state every run starts from: independent reads, side by side.
  const [usedAfter, topsAfter, snapshotsLeft, fz] = await Promise.all([
    filesInUse(ctx.uri),
    diskTops(ctx.uri, ctx.domain),
    snapshotNames(ctx.uri, ctx.domain),
    freezeStatus(ctx.uri, ctx.domain, 5),
  ]);
  for (const f of usedBefore) {
    if (usedAfter.has(f) || !fs.existsSync(f)) continue;
    if (![...ctx.baseTops.values()].includes(f)) fs.rmSync(f, { force: true });
  }
  for (const t of topsAfter) {
    if (ctx.baseTops.get(t.target) !== t.source)
      throw new Error(
        `restore: ${t.target} is on ${t.source}, not its base ${ctx.baseTops.get(t.target)}`,
      );
  }
  if (snapshotsLeft.length > 0) throw new Error('restore: snapshots remain');
  if (fz.value !== 'thawed') throw new Error(`restore: freeze status ${fz.value} (${fz.detail})`);
}

// ---------------------------------------------------------------------------------- one run

function runnerIsOurs(ctx: Ctx, pid: number, opId: string): boolean {
  const info = procInfo(pid);
  return (
    info !== undefined &&
    info.uid === ctx.labUid &&
    info.state !== 'Z' &&
    info.argv.some((a) => a.includes(opId))
  );
}

/** A run that could not be finished or whose guest could not be put back: the soak stops. */
class RunAborted extends Error {
  constructor(
    message: string,
    readonly rec: RunRecord,
  ) {
    super(message);
  }
}

async function oneRun(ctx: Ctx, plan: RunPlan): Promise<RunRecord> {
  const t0 = Date.now();
  const notes: string[] = [];
  const rec: RunRecord = {
    run: plan.run,
    kind: plan.kind,
    plan: describePlan(plan),
    params: plan,
    injected: {},
    ops: [],
    frozenMs: null,
    frozenIntervals: [],
    leftFrozen: false,
    tooLongFrozen: false,
    frozenBeyondOutageMs: null,
    domainStateAfter: '',
    snapshots: [],
    mislabelled: 0,
    lost: [],
    lock: { state: 'unknown' },
    orphans: [],
    newOrphans: [],
    orphansCleaned: [],
    stuck: [],
    notes,
    durationMs: 0,
  };
  try {
    await runBody(ctx, plan, rec, t0);
  } catch (e) {
    rec.durationMs = Date.now() - t0;
    throw new RunAborted((e as Error).message, rec);
  }
  try {
    const gaps = writerGapsMs(await readWriterSamples(ctx.guestName));
    rec.writerMaxGapMs = gaps.length ? Math.round(Math.max(...gaps)) : 0;
  } catch (e) {
    notes.push(`writer log: ${(e as Error).message.split('\n')[0]}`);
  }
  rec.durationMs = Date.now() - t0;
  return rec;
}

async function runBody(ctx: Ctx, plan: RunPlan, rec: RunRecord, t0: number): Promise<void> {
  const notes = rec.notes;
  let libvirtDown: { from: number; to: number } | undefined;
  const max = ctx.maxFreezeS;
  const name = `soak${ctx.seed}-${plan.run}-${ctx.tag}`;

  let full: FullFolder | undefined;
  const apps: App[] = [];
  let monitor: FreezeMonitor | undefined;
  const tails: JournalTail[] = [];
  const opNames = new Map<string, string>();
  let contAt = 0;
  let usedAtEnd: Set<string> | undefined;
  const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'quiesce-soak-app-'));
  ctx.tmpDirs.push(dataDir);
  // The app connects (its SSH handshake, a second or more on a loaded machine) while the writer
  // restarts and the host is read: neither needs the other. It is awaited before the snapshot.
  const connecting = connectApp(ctx, { holdFrozenMs: plan.holdMs, dataDir });
  connecting.catch(() => undefined); // its failure is thrown where it is awaited
  try {
    // `start` truncates the log only when the writer is not running: stop it first.
    await setWriter(ctx.guestName, false);
    await setWriter(ctx.guestName, true);
    await sleep(300);
    if (plan.kind === 'overlay-full')
      full = await prepareFullFolder(ctx, plan.prealloc ?? false, notes);
    const chainBefore = new Set<string>();
    for (const t of await diskTops(ctx.uri, ctx.domain))
      for (const f of (await backingChain(t.source)).files) chainBefore.add(f);
    const snapsBefore = new Set(await snapshotNames(ctx.uri, ctx.domain));

    monitor = new FreezeMonitor(ctx.uri, ctx.domain).start();
    let app = await connecting;
    apps.push(app);

    if (plan.kind === 'agent-stop') {
      // A stopped agent cannot be told anything, so the stop and the resume are scheduled in the
      // guest beforehand (a `guest-exec`'d delayed `kill -STOP` of qemu-ga, and a later
      // `kill -CONT`), with a second resume as a safety net.
      const a = ((plan.stopAfterMs ?? 0) / 1000).toFixed(3);
      const b = ((plan.stopMs ?? 0) / 1000).toFixed(3);
      const pidf = '$(cat /run/qemu-ga.pid)';
      await guestExec(ctx.guestName, '/bin/sh', [
        '-c',
        `setsid sh -c 'sleep ${a}; kill -STOP ${pidf}; sleep ${b}; kill -CONT ${pidf}; sleep 2; kill -CONT ${pidf}' </dev/null >/dev/null 2>&1 &`,
      ]);
      contAt = Date.now() + (plan.stopAfterMs ?? 0) + (plan.stopMs ?? 0);
    }
    if (full && plan.anchor === 'before-start') {
      fillUp(full);
      rec.injected = { atMs: Date.now() - t0, phase: 'before-start' };
    }

    const tailOf = (opId: string) => {
      const t = new JournalTail(path.join(ctx.hostDir, 'ops', opId, 'journal.jsonl')).start();
      tails.push(t);
      return t;
    };
    const ops: string[] = [];
    const startsAt = Date.now();
    if (plan.kind === 'second-runner' && plan.second === 'together') {
      const [a, b] = await Promise.allSettled([
        startSnapshot(ctx, app, name),
        startSnapshot(ctx, app, `${name}b`),
      ]);
      for (const [r, n] of [
        [a, name],
        [b, `${name}b`],
      ] as const) {
        if (r.status === 'fulfilled') {
          ops.push(r.value);
          opNames.set(r.value, n);
        } else notes.push(`snapshot.start ${n} refused by the app: ${(r.reason as Error).message}`);
      }
      rec.injected = { atMs: startsAt - t0, phase: 'together' };
    } else {
      const opId = await startSnapshot(ctx, app, name);
      ops.push(opId);
      opNames.set(opId, name);
    }
    for (const o of ops) tailOf(o);
    const first = tails[0];

    // ---- the fault, at its moment
    if (first && plan.anchor && plan.anchor !== 'before-start' && plan.kind !== 'none') {
      const anchor = plan.anchor;
      const reached =
        anchor === 'launched'
          ? true
          : await first.waitFor(
              (e) =>
                anchor === 'frozen'
                  ? e.kind === 'frozen'
                  : e.kind === 'phase' && e.phase === anchor && e.status === 'running',
              60_000,
            );
      if (!reached)
        notes.push(`anchor ${anchor} not reached (${first.currentPhase()}): injected anyway`);
      await sleep(plan.offsetMs ?? 0);
      first.read();
      rec.injected = { atMs: Date.now() - t0, phase: first.currentPhase() };
      switch (plan.kind) {
        case 'link-drop':
          ctx.relay.cut();
          await sleep(plan.downMs ?? 0);
          ctx.relay.restore();
          break;
        case 'app-restart':
          app.h.dispose();
          await sleep(plan.downMs ?? 0);
          app = await connectApp(ctx, { dataDir: app.dataDir }, app.hostId);
          apps.push(app);
          break;
        case 'runner-sigkill':
        case 'runner-sigterm': {
          const sig = plan.kind === 'runner-sigkill' ? 'SIGKILL' : 'SIGTERM';
          const pid = first.pid();
          if (!pid || !runnerIsOurs(ctx, pid, first.path.split('/').at(-2)!)) {
            rec.injected.note = `no live runner to signal (pid ${pid ?? 'unknown'})`;
            break;
          }
          const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
          if (plan.target === 'group' && pgid === pid) {
            process.kill(-pid, sig);
            rec.injected.note = `${sig} to process group ${pid}`;
          } else {
            process.kill(pid, sig);
            rec.injected.note =
              plan.target === 'group'
                ? `${sig} to pid ${pid} (it leads no group: pgid ${pgid})`
                : `${sig} to pid ${pid}`;
          }
          break;
        }
        case 'libvirtd-restart': {
          const lp = labPaths(labConfig().labDir);
          const d = DAEMONS.find((x) => x.name === 'libvirtd')!;
          const pid = daemonPid(d, lp);
          if (pid === undefined) {
            rec.injected.note = 'libvirtd not running?';
            break;
          }
          const downFrom = Date.now();
          if (plan.signal === 'SIGKILL') {
            process.kill(pid, 'SIGKILL');
            const until = Date.now() + 10_000;
            while (isAlive(pid) && Date.now() < until) await sleep(50);
          } else {
            await stopProcess(pid, daemonExpectation(d, lp), 15_000);
          }
          await sleep(plan.downMs ?? 0);
          await startLibvirt(lp, () => undefined);
          libvirtDown = { from: downFrom, to: Date.now() };
          rec.injected.note = `libvirtd ${plan.signal} (pid ${pid}), back after ${Date.now() - t0 - rec.injected.atMs!} ms`;
          break;
        }
        case 'overlay-full':
          fillUp(full!);
          break;
        case 'second-runner': {
          let second = app;
          if (plan.second === 'other-app') {
            const dd = fs.mkdtempSync(path.join(tmpdir(), 'quiesce-soak-app-'));
            ctx.tmpDirs.push(dd);
            second = await connectApp(ctx, { dataDir: dd });
            apps.push(second);
          }
          try {
            const o = await startSnapshot(ctx, second, `${name}b`);
            ops.push(o);
            opNames.set(o, `${name}b`);
            tailOf(o);
          } catch (e) {
            notes.push(`second snapshot.start refused by the app: ${(e as Error).message}`);
          }
          break;
        }
        default:
          break;
      }
    }

    // ---- every operation ends (or is declared stuck after 2 minutes)
    for (const t of tails) {
      const opId = t.path.split('/').at(-2)!;
      const deadline = Date.now() + 120_000;
      let goneSince = 0;
      for (;;) {
        t.read();
        if (t.ended()) break;
        const pid = t.pid();
        if (pid && !isAlive(pid)) {
          goneSince ||= Date.now();
          if (Date.now() - goneSince > 1500) break;
        }
        if (Date.now() > deadline) {
          rec.stuck.push(opId);
          if (pid && runnerIsOurs(ctx, pid, opId)) {
            process.kill(pid, 'SIGKILL');
            notes.push(`${opId} stuck for 2 min: runner ${pid} killed`);
          }
          break;
        }
        await sleep(100);
      }
    }
    const opsEnd = Date.now();
    ctx.relay.restore();

    // ---- the freeze poller runs on until the guest is thawed for good (or the limit is past)
    const limit = max * 1000 + 2000;
    const settle = Math.max(opsEnd + 2500, contAt ? contAt + 4000 : 0);
    while (Date.now() < settle) await sleep(100);
    // A full folder pauses the guest on its next write (QEMU: "paused (I/O error)"), and a paused
    // guest can be thawed by no one: the admin frees space and resumes it. So does the soak, here,
    // and the runner's watchdog must then thaw it (the paused time is not counted as frozen).
    if (full && (await domainState(ctx.uri, ctx.domain)).startsWith('paused')) {
      fs.rmSync(full.filler, { force: true });
      const r = await virshRoot(ctx.uri, ['resume', ctx.domain]);
      notes.push(
        `guest paused by the full folder: space freed and resumed at +${Date.now() - t0} ms${r.code ? ` (resume: ${r.stderr.trim()})` : ''}`,
      );
    }
    const hardStop = Date.now() + limit + 20_000;
    for (;;) {
      const open = monitor.intervals().find((i) => i.to === undefined);
      const last = monitor.last();
      if (!open && last?.v === 'thawed') break;
      if (open && Date.now() > open.from + open.pausedMs + limit + 1500) break;
      if (Date.now() > hardStop) break;
      await sleep(100);
    }
    await monitor.stop();
    const finalStatus = await freezeStatus(ctx.uri, ctx.domain, 3);
    rec.leftFrozen = finalStatus.value === 'frozen' || monitor.last()?.v === 'frozen';
    rec.frozenIntervals = monitor.intervals();
    rec.frozenMs = rec.frozenIntervals.length
      ? Math.max(...rec.frozenIntervals.map((i) => i.ms))
      : null;
    // While libvirtd is down nothing can reach the agent (it talks to QEMU only through libvirt):
    // a freeze that overlaps the outage must end within the limit after libvirtd is back.
    const down = libvirtDown;
    rec.tooLongFrozen = rec.frozenIntervals.some(
      (i) =>
        i.ms > limit &&
        !(down && i.to !== undefined && i.from < down.to && i.to <= down.to + limit),
    );
    rec.frozenBeyondOutageMs = rec.frozenIntervals.length
      ? Math.max(
          ...rec.frozenIntervals.map((i) =>
            down && i.to !== undefined && i.from < down.to
              ? i.to - Math.max(i.from, down.to)
              : i.ms,
          ),
        )
      : null;
    if (down && !rec.tooLongFrozen && rec.frozenIntervals.some((i) => i.ms > limit))
      notes.push(
        `frozen past the limit only while libvirtd was down (back after ${down.to - down.from} ms)`,
      );
    if (finalStatus.value === 'unknown')
      notes.push(`agent silent at the end: ${finalStatus.detail}`);

    // ---- what the app shows, and the journals
    const current = apps.at(-1)!;
    for (const t of tails) {
      t.stop();
      const opId = t.path.split('/').at(-2)!;
      const pid = t.pid();
      const runnerGone = pid === undefined || !isAlive(pid);
      const js = J.summarize(opId, parseEvents(t.text), runnerGone);
      const s = await appOutcome(current, opId);
      const opDir = path.dirname(t.path);
      let left = userProcessesMentioning(ctx.labUid, opDir);
      for (let i = 0; i < 100 && left.length > 0; i++) {
        await sleep(100);
        left = userProcessesMentioning(ctx.labUid, opDir);
      }
      rec.ops.push({
        opId,
        name: opNames.get(opId) ?? '',
        state: s?.state ?? 'unknown (the app did not answer)',
        ...(s?.label ? { label: s.label.kind, labelText: labelText(s.label) } : {}),
        ...(s?.error
          ? { error: `${s.error.message}${s.error.cause ? ` — ${s.error.cause}` : ''}` }
          : {}),
        ...(s ? { windowMs: s.windowMs } : {}),
        ...(s?.watchdog ? { watchdog: s.watchdog } : {}),
        journalState: js.state,
        ...(js.label ? { journalLabel: js.label.kind } : {}),
        journalProblems: journalProblems(t.text),
        ...(pid ? { runnerPid: pid } : {}),
        leftProcesses: left.map((x) => `${x.pid} ${x.cmd}`),
      });
    }

    // ---- the host's truth (every operation has ended: the reads are independent, so they are
    // made side by side, each virsh or qemu-img process a few hundred ms on a loaded machine)
    const [stateAfter, chains, live, newSnapshots] = await Promise.all([
      domainState(ctx.uri, ctx.domain),
      diskTops(ctx.uri, ctx.domain).then((tops) =>
        Promise.all(tops.map(async (t) => ({ t, c: await backingChain(t.source) }))),
      ),
      liveSources(ctx.uri, ctx.domain),
      snapshotNames(ctx.uri, ctx.domain).then((names) =>
        Promise.all(
          names
            .filter((n) => !snapsBefore.has(n))
            .map(async (n) => ({ n, os: await snapshotOverlays(ctx.uri, ctx.domain, n) })),
        ),
      ),
    ]);
    rec.domainStateAfter = stateAfter;
    const lost = new Set<string>();
    const chainAfter = new Set<string>();
    for (const { t, c } of chains) {
      c.files.forEach((f) => chainAfter.add(f));
      c.missing.forEach((f) => lost.add(f));
      if (c.error) notes.push(`chain of ${t.target}: ${c.error}`);
    }
    for (const f of live) if (!fs.existsSync(f)) lost.add(f);
    rec.lost = [...lost];

    // Every cut this run made: libvirt's new snapshots, and new layers in the chain (a cut
    // without metadata has no snapshot record but is in the chain all the same).
    const overlays = new Map<string, { libvirtName?: string }>();
    for (const { n, os } of newSnapshots)
      for (const o of os) overlays.set(o.file, { libvirtName: n });
    for (const f of chainAfter) if (!chainBefore.has(f) && !overlays.has(f)) overlays.set(f, {});
    const opOfOverlay = (file: string, libvirtName?: string) => {
      for (const t of tails) {
        for (const e of t.events)
          if (e.kind === 'disks' && e.disks.some((d) => d.overlay === file))
            return t.path.split('/').at(-2)!;
      }
      for (const [opId, n] of opNames)
        if (n === libvirtName || path.basename(file).includes(`.${n}.`)) return opId;
      return undefined;
    };
    for (const [overlay, { libvirtName }] of overlays) {
      const opId = opOfOverlay(overlay, libvirtName);
      const op = rec.ops.find((o) => o.opId === opId);
      // The strictest reading: the app's label, or the journal's if the app showed none.
      const label = op?.label ?? op?.journalLabel;
      const check: SnapshotCheck = {
        overlay,
        ...(libvirtName ? { libvirtName } : {}),
        ...(opId ? { opId } : {}),
        ...(label ? { label } : {}),
        mislabelled: false,
      };
      if (!fs.existsSync(overlay)) check.error = 'overlay missing';
      else {
        try {
          const b = await backingOf(overlay);
          if (!b) check.error = 'overlay has no backing file';
          else {
            check.frozenImage = b;
            const nr = await needsRecovery(b);
            if (nr.error) check.error = nr.error;
            else check.needsRecovery = nr.needs!;
          }
        } catch (e) {
          check.error = (e as Error).message.split('\n')[0];
        }
      }
      check.mislabelled =
        check.needsRecovery === true && label !== undefined && CLAIMS_CONSISTENT.has(label);
      // A consistency label that cannot be checked is not taken on trust either.
      if (check.error && label && CLAIMS_CONSISTENT.has(label))
        notes.push(`${label} snapshot ${overlay} could not be checked: ${check.error}`);
      rec.snapshots.push(check);
    }
    rec.mislabelled = rec.snapshots.filter((s) => s.mislabelled).length;
    for (const op of rec.ops) {
      const label = op.label ?? op.journalLabel;
      if (label && CLAIMS_CONSISTENT.has(label) && !rec.snapshots.some((s) => s.opId === op.opId))
        notes.push(`${op.opId} is labelled ${label} but no snapshot of it was found on the host`);
      if (op.label !== op.journalLabel)
        notes.push(
          `${op.opId}: the app shows ${op.label ?? 'no label'}, its journal reads ${op.journalLabel ?? 'no label'}`,
        );
    }

    const [lk, used] = await Promise.all([lockState(ctx.hostDir, ctx.domain), filesInUse(ctx.uri)]);
    rec.lock = { state: lk.state, form: lk.form, ...(lk.detail ? { detail: lk.detail } : {}) };

    const dirs = new Set(ctx.imageDirs);
    if (full) dirs.add(full.dir);
    usedAtEnd = used;
    const now = imageFiles(dirs).filter((f) => !used.has(f) && !ctx.preexisting.has(f));
    rec.orphans = now.filter((f) => !(full && f === full.filler));
    rec.orphansCleaned = [...ctx.orphans].filter((f) => !fs.existsSync(f));
    ctx.orphansCleaned += rec.orphansCleaned.length;
    for (const f of rec.orphansCleaned) ctx.orphans.delete(f);
    rec.newOrphans = rec.orphans.filter((f) => !ctx.orphans.has(f));
    for (const f of rec.orphans) {
      ctx.orphans.add(f);
      ctx.orphansEver.add(f);
    }
    if (full)
      for (const f of rec.orphans.filter((x) => x.startsWith(full!.dir + '/')))
        ctx.orphans.delete(f);
  } finally {
    // ---- back to the clean state (counted above: a frozen guest was recorded as leftFrozen)
    // An app still connecting when the run failed is disposed with the others.
    const late = await connecting.catch(() => undefined);
    if (late && !apps.includes(late)) apps.push(late);
    ctx.relay.restore();
    if (monitor) await monitor.stop();
    for (const t of tails) t.stop();
    for (const a of apps) a.h.dispose();
    if (full) fs.rmSync(full.filler, { force: true });
    if (contAt) while (Date.now() < contAt + 2500) await sleep(100);
    try {
      await restoreDomain(ctx, notes, usedAtEnd);
    } finally {
      if (full) await unmountFull(full, notes);
    }
  }
}

// ---------------------------------------------------------------------------------- the soak

export function runFailed(r: RunRecord): boolean {
  return (
    r.leftFrozen ||
    r.tooLongFrozen ||
    r.mislabelled > 0 ||
    r.lost.length > 0 ||
    r.lock.state === 'held' ||
    r.stuck.length > 0 ||
    r.ops.some((o) => o.journalProblems.length > 0)
  );
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const p = labProfile();
  const agent = p.guests.find((g) => g.role === 'agent');
  if (!agent) throw new Error('the lab profile has no agent guest');
  const user = userInfo(p.user);
  const maxFreezeS = opts.maxFreezeS ?? 3;
  const relay = new TcpRelay({ host: p.address, port: p.port });
  const ctx: Ctx = {
    p,
    seed: opts.seed,
    maxFreezeS,
    ...(opts.agentTimeoutS ? { agentTimeoutS: opts.agentTimeoutS } : {}),
    uri: p.libvirtUri,
    domain: agent.uuid,
    guestName: agent.name,
    hostDir: path.join(user.home, '.quiesce'),
    labUid: user.uid,
    tag: randomBytes(2).toString('hex'),
    relay,
    knownHosts: '',
    baseTops: new Map(),
    imageDirs: new Set(),
    preexisting: new Set(),
    orphans: new Set(),
    orphansEver: new Set(),
    orphansCleaned: 0,
    log,
    tmpDirs: [],
  };
  const report: SoakReport = {
    runs: 0,
    seed: opts.seed,
    maxFreezeS,
    faults: Object.fromEntries((opts.kinds?.length ? opts.kinds : FAULT_KINDS).map((k) => [k, 0])),
    maxFrozenMs: 0,
    maxFrozenBeyondOutageMs: 0,
    leftFrozen: 0,
    mislabelled: 0,
    lost: 0,
    orphans: 0,
    tooLongFrozen: 0,
    badJournals: 0,
    locksHeld: 0,
    stuck: 0,
    orphansCleanedByRunner: 0,
    orphansRemaining: 0,
    snapshotsChecked: 0,
    snapshotsNeedingRecovery: 0,
    failedRuns: [],
    violations: [],
    ok: false,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    details: [],
  };

  // The starting point: the guest as every run expects it. A guest found frozen here was left so
  // by someone else: thawed, said, not counted.
  const startNotes: string[] = [];
  const dataDisk = (agent as { dataDisk?: string }).dataDisk;
  for (const t of await diskTops(ctx.uri, ctx.domain)) {
    const chain = (await backingChain(t.source)).files;
    ctx.baseTops.set(
      t.target,
      dataDisk && chain.includes(dataDisk) ? dataDisk : (chain.at(-1) ?? t.source),
    );
  }
  await restoreDomain(ctx, startNotes);
  for (const n of startNotes) log(`before the soak: ${n}`);
  for (const t of await diskTops(ctx.uri, ctx.domain))
    for (const f of (await backingChain(t.source)).files) ctx.imageDirs.add(path.dirname(f));
  const used = await filesInUse(ctx.uri);
  for (const f of imageFiles(ctx.imageDirs)) if (!used.has(f)) ctx.preexisting.add(f);
  if (ctx.preexisting.size)
    log(`unused image files already there (not counted): ${[...ctx.preexisting].join(', ')}`);

  await relay.start();
  ctx.knownHosts = fs
    .readFileSync(p.knownHostsPath, 'utf8')
    .split(`]:${p.port} `)
    .join(`]:${relay.port} `);

  const indexes = opts.only?.length
    ? [...opts.only]
    : Array.from({ length: opts.runs }, (_, i) => i);
  try {
    for (const i of indexes) {
      const plan = planRun(opts.seed, i, {
        maxFreezeS,
        ...(opts.kinds ? { kinds: opts.kinds } : {}),
      });
      log(`run ${i}: ${describePlan(plan)}`);
      let rec: RunRecord;
      try {
        rec = await oneRun(ctx, plan);
      } catch (e) {
        if (e instanceof RunAborted) report.details.push(e.rec);
        report.aborted = `run ${i} (${describePlan(plan)}): ${(e as Error).message}`;
        log(`ABORTED: ${report.aborted}`);
        break;
      }
      report.details.push(rec);
      report.runs++;
      report.faults[plan.kind] = (report.faults[plan.kind] ?? 0) + 1;
      log(`run ${i}: ${summaryLine(rec, maxFreezeS)}`);
    }
  } finally {
    await relay.stop();
    await setWriter(agent.name, false).catch(() => undefined);
    const remaining = [...ctx.orphans].filter((f) => fs.existsSync(f));
    report.orphansRemaining = remaining.length;
    if (!opts.keepOrphans) {
      const inUse = await filesInUse(ctx.uri).catch(() => undefined);
      for (const f of remaining) if (inUse && !inUse.has(f)) fs.rmSync(f, { force: true });
    }
    for (const d of ctx.tmpDirs) fs.rmSync(d, { recursive: true, force: true });
  }

  const d = report.details;
  report.maxFrozenMs = Math.max(0, ...d.map((r) => r.frozenMs ?? 0));
  report.maxFrozenBeyondOutageMs = Math.max(0, ...d.map((r) => r.frozenBeyondOutageMs ?? 0));
  report.leftFrozen = d.filter((r) => r.leftFrozen).length;
  report.mislabelled = d.reduce((s, r) => s + r.mislabelled, 0);
  report.lost = d.reduce((s, r) => s + r.lost.length, 0);
  report.orphans = ctx.orphansEver.size;
  report.orphansCleanedByRunner = ctx.orphansCleaned;
  report.tooLongFrozen = d.filter((r) => r.tooLongFrozen).length;
  report.badJournals = d.reduce(
    (s, r) => s + r.ops.filter((o) => o.journalProblems.length > 0).length,
    0,
  );
  report.locksHeld = d.filter((r) => r.lock.state === 'held').length;
  report.stuck = d.reduce((s, r) => s + r.stuck.length, 0);
  report.snapshotsChecked = d.reduce(
    (s, r) => s + r.snapshots.filter((x) => x.needsRecovery !== undefined).length,
    0,
  );
  report.snapshotsNeedingRecovery = d.reduce(
    (s, r) => s + r.snapshots.filter((x) => x.needsRecovery).length,
    0,
  );
  report.failedRuns = d.filter(runFailed).map((r) => r.run);
  const v = report.violations;
  if (report.leftFrozen) v.push(`leftFrozen ${report.leftFrozen}`);
  if (report.mislabelled) v.push(`mislabelled ${report.mislabelled}`);
  if (report.lost) v.push(`lost ${report.lost}`);
  if (report.tooLongFrozen)
    v.push(
      `frozen longer than max freeze + 2 s in ${report.tooLongFrozen} runs (max ${report.maxFrozenMs} ms)`,
    );
  if (report.badJournals) v.push(`journals that do not parse: ${report.badJournals}`);
  if (report.locksHeld) v.push(`lock still held after ${report.locksHeld} runs`);
  if (report.stuck) v.push(`operations stuck: ${report.stuck}`);
  if (report.aborted) v.push(`aborted: ${report.aborted}`);
  report.ok = v.length === 0;
  report.durationMs = Date.now() - started;
  return report;
}

// ---------------------------------------------------------------------------------- printing

function opShort(o: OpRecord): string {
  return `${o.state}${o.label ? `/${o.label}` : ''}`;
}

export function summaryLine(r: RunRecord, maxFreezeS: number): string {
  const flags: string[] = [];
  if (r.leftFrozen) flags.push('LEFT-FROZEN');
  if (r.tooLongFrozen) flags.push(`FROZEN>${maxFreezeS * 1000 + 2000}ms`);
  if (r.mislabelled) flags.push(`MISLABELLED ${r.mislabelled}`);
  if (r.lost.length) flags.push(`LOST ${r.lost.length}`);
  if (r.lock.state === 'held') flags.push('LOCK-HELD');
  if (r.stuck.length) flags.push('STUCK');
  if (r.ops.some((o) => o.journalProblems.length)) flags.push('BAD-JOURNAL');
  if (r.newOrphans.length) flags.push(`new orphans ${r.newOrphans.length}`);
  const nr = r.snapshots.map((s) =>
    s.needsRecovery === undefined ? '?' : s.needsRecovery ? 'dirty' : 'clean',
  );
  return [
    r.plan,
    `→ ${r.ops.map(opShort).join(' + ') || 'no op'}`,
    `frozen ${r.frozenMs ?? '-'} ms`,
    `images ${nr.join(',') || '-'}`,
    flags.join(' ') || 'ok',
  ].join(' | ');
}

export function formatTable(rep: SoakReport): string {
  const rows = rep.details.map((r) => [
    String(r.run),
    r.plan,
    r.injected.phase ?? '',
    r.ops.map(opShort).join(' + '),
    r.frozenMs === null ? '-' : String(r.frozenMs),
    r.writerMaxGapMs === undefined ? '?' : String(r.writerMaxGapMs),
    r.snapshots
      .map((s) => (s.needsRecovery === undefined ? '?' : s.needsRecovery ? 'dirty' : 'clean'))
      .join(',') || '-',
    [
      r.leftFrozen ? 'LEFT-FROZEN' : '',
      r.tooLongFrozen ? 'TOO-LONG' : '',
      r.mislabelled ? `MISLABELLED` : '',
      r.lost.length ? `LOST` : '',
      r.lock.state === 'held' ? 'LOCK-HELD' : '',
      r.stuck.length ? 'STUCK' : '',
      r.ops.some((o) => o.journalProblems.length) ? 'BAD-JOURNAL' : '',
      r.newOrphans.length ? `new-orphans:${r.newOrphans.length}` : '',
      r.orphansCleaned.length ? `orphans-cleaned:${r.orphansCleaned.length}` : '',
    ]
      .filter(Boolean)
      .join(' ') || 'ok',
  ]);
  const head = [
    'run',
    'fault',
    'landed in',
    'outcome (app)',
    'frozen ms',
    'gap ms',
    'images',
    'checks',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  out.push(
    `runs ${rep.runs} (seed ${rep.seed}, max freeze ${rep.maxFreezeS} s) · faults ${Object.entries(
      rep.faults,
    )
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `maxFrozenMs ${rep.maxFrozenMs} (beyond libvirtd outages ${rep.maxFrozenBeyondOutageMs}; limit ${rep.maxFreezeS * 1000 + 2000}) · leftFrozen ${rep.leftFrozen} · mislabelled ${rep.mislabelled} · lost ${rep.lost} · orphans ${rep.orphans} (cleaned by the next runner ${rep.orphansCleanedByRunner}, remaining ${rep.orphansRemaining})`,
    `snapshots checked ${rep.snapshotsChecked} (needing recovery ${rep.snapshotsNeedingRecovery}) · bad journals ${rep.badJournals} · locks held ${rep.locksHeld} · stuck ${rep.stuck}`,
    rep.ok
      ? 'OK'
      : `FAILED: ${rep.violations.join('; ')}${rep.failedRuns.length ? ` — replay: npm run soak -- --seed ${rep.seed} --max-freeze ${rep.maxFreezeS} --only ${rep.failedRuns.join(',')}` : ''}`,
  );
  return out.join('\n');
}
