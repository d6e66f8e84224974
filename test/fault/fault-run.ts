/**
 * Runs the real host runner (launch.sh → snapshot-runner.sh → watchdog.sh, exactly as shipped)
 * against the scripted fake `virsh`/`qemu-img` (fake-virsh.sh), under a chosen POSIX shell, with
 * optional signals at a chosen moment; waits until every process it started is gone; and returns
 * what a restore would care about: the fake guest's state, its files, the journal, the lock.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchCommand, launchScript, newOpId } from '../../electron/services/snapshot/launch';
import { parseJournal, summarize } from '../../electron/services/snapshot/journal';
import { readJournalLine } from '../../electron/services/snapshot/journal-line';
import type { OperationSummary } from '../../shared/snapshot';

const here = dirname(fileURLToPath(import.meta.url));
const FAKE = join(here, 'fake-virsh.sh');
export const FAKE_UUID = '00000000-0000-4000-8000-00000000000a';

export type Shell = 'dash' | 'bash' | 'busybox';
export const SHELLS: readonly Shell[] = ['dash', 'bash', 'busybox'];

export interface FaultSpec {
  shell: Shell;
  /** fake-virsh plan lines: "STEP ACTION [ARG]" or "STEP#N ACTION [ARG]" */
  plan?: string[];
  policy?: 'require' | 'allow-crash-consistent';
  /** A full checkpoint (memory with the disks). */
  memory?: boolean;
  kind?: 'snapshot' | 'test-freeze';
  maxFreezeS?: number;
  domstate?: string;
  holdFrozenMs?: number;
  name?: string;
  /** A signal for the runner (or its whole process group) once `when` holds. */
  signal?: {
    sig: NodeJS.Signals;
    group?: boolean;
    when: (w: Watch) => boolean;
  };
  /** Something to do while the run goes on (resume a paused guest, start a second runner…). */
  during?: (ctx: FaultContext) => Promise<void>;
  /** Before the launch (e.g. leave an earlier run's orphan behind). */
  setup?: (ctx: FaultContext) => void;
  timeoutMs?: number;
}

/** What the watcher sees while the run goes on. */
export interface Watch {
  journal: string;
  trace: string;
}

export interface FaultContext {
  root: string;
  hostDir: string;
  state: string;
  images: string;
  env: NodeJS.ProcessEnv;
  launch: (opId?: string, overrides?: Partial<FaultSpec>) => Promise<string>;
  opDir: (opId: string) => string;
  setState: (file: string, value: string) => void;
}

export interface FaultOutcome {
  opId: string;
  journal: string;
  /** Non-empty journal lines that are not one whole, valid journal line. */
  invalidLines: string[];
  summary: OperationSummary;
  frozen: number;
  domstate: string;
  /** Every image of the fake disk's chain, and which of them no longer exist. */
  chain: string[];
  missing: string[];
  snapshots: string[];
  /** Files in the images folder that no chain uses. */
  strays: string[];
  trace: string[];
  lockFree: boolean;
  /** Processes of the runner's or the watchdog's session still alive at the end. */
  leftovers: string[];
  ended: boolean;
  ctx: FaultContext;
}

function shellBin(shell: Shell): string {
  return shell === 'busybox'
    ? '#!/bin/sh\nexec busybox sh "$@"\n'
    : `#!/bin/sh\nexec ${shell} "$@"\n`;
}

const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return (
      !existsSync(`/proc/${pid}/stat`) || !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    );
  } catch {
    return false;
  }
};
const pidIn = (f: string) => Number(read(f).trim()) || 0;

/** Processes whose session is one of `sids` (the runner and the watchdog each lead one). */
function sessionMembers(sids: number[]): string[] {
  if (sids.length === 0) return [];
  const ps = execFileSync('ps', ['-e', '-o', 'pid=,sid=,stat=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, sid, stat]) => sids.includes(Number(sid)) && !stat?.startsWith('Z'))
    .map((cols) => cols.join(' '));
}

/** A fake host in a new folder: the fake virsh and qemu-img first on PATH, one domain, one disk. */
export function fakeHost(spec: FaultSpec): FaultContext {
  // A space in every path: a $HOME with a space must not break anything.
  const root = mkdtempSync(join(tmpdir(), 'quiesce fault '));
  const bin = join(root, 'bin');
  const hostDir = join(root, 'home dir', '.quiesce');
  const state = join(root, 'state');
  const images = join(root, 'images');
  for (const d of [bin, hostDir, state, join(state, 'snapshots'), images])
    mkdirSync(d, { recursive: true });
  writeFileSync(join(bin, 'sh'), shellBin(spec.shell));
  writeFileSync(join(bin, 'virsh'), `#!/bin/sh\nexec dash '${FAKE}' "$@"\n`);
  writeFileSync(join(bin, 'qemu-img'), `#!/bin/sh\nFAKE_AS=qemu-img exec dash '${FAKE}' "$@"\n`);
  for (const f of ['sh', 'virsh', 'qemu-img']) chmodSync(join(bin, f), 0o755);
  const base = join(images, 'data.qcow2');
  writeFileSync(base, '');
  const setState = (file: string, value: string) => writeFileSync(join(state, file), value + '\n');
  setState('top', base);
  setState('chain', base);
  setState('frozen', '0');
  setState('domstate', spec.domstate ?? 'running');
  writeFileSync(join(state, 'plan'), (spec.plan ?? []).join('\n') + '\n');
  const env = {
    PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: join(root, 'home dir'),
    FAKE_STATE: state,
    LC_ALL: 'C',
  };
  const opDir = (opId: string) => join(hostDir, 'ops', opId);
  const launch = (opId = newOpId(), o: Partial<FaultSpec> = {}) =>
    new Promise<string>((resolve, reject) => {
      const s = { ...spec, ...o };
      const child = execFile('sh', ['-c', launchCommand(hostDir, opId)], { env }, (err) =>
        err ? reject(err) : resolve(opId),
      );
      child.stdin!.end(
        launchScript({
          op: opId,
          uri: 'test:///fake',
          uuid: FAKE_UUID,
          name: s.name ?? 'snap1',
          policy: s.policy ?? 'require',
          maxFreezeS: s.maxFreezeS ?? 1,
          agentTimeoutS: 1,
          workstation: 'ws "one"',
          user: "o'brien",
          holdFrozenMs: s.holdFrozenMs ?? 0,
          kind: s.kind ?? 'snapshot',
          description: 'fault <run> & "quotes"\nline two',
          ...(s.memory ? { memory: true } : {}),
        }),
      );
    });
  return { root, hostDir, state, images, env, launch, opDir, setState };
}

/**
 * One run: a new fake host (or `ctx`, an earlier run's, to see what a next run does with what
 * the last one left), launched and watched until every process it started is gone.
 */
export async function faultRun(spec: FaultSpec, reuse?: FaultContext): Promise<FaultOutcome> {
  const ctx = reuse ?? fakeHost(spec);
  const { state, hostDir, images, opDir } = ctx;
  if (reuse) writeFileSync(join(state, 'plan'), (spec.plan ?? []).join('\n') + '\n');
  spec.setup?.(ctx);

  const opId = await ctx.launch(undefined, spec);
  const dir = opDir(opId);
  const deadline = Date.now() + (spec.timeoutMs ?? 30_000);
  const during = spec.during?.(ctx);
  let signalled = !spec.signal;
  let ended = false;
  const sids = new Set<number>();
  for (;;) {
    const runner = pidIn(join(dir, 'runner.pid'));
    const watchdog = pidIn(join(dir, 'watchdog.pid'));
    if (runner) sids.add(runner);
    if (watchdog) sids.add(watchdog);
    if (!signalled && spec.signal && runner) {
      const w = { journal: read(join(dir, 'journal.jsonl')), trace: read(join(state, 'trace')) };
      if (spec.signal.when(w)) {
        try {
          process.kill(spec.signal.group ? -runner : runner, spec.signal.sig);
        } catch {
          /* already gone: the run outran the trigger */
        }
        signalled = true;
      }
    }
    const journal = read(join(dir, 'journal.jsonl'));
    const runnerDone = runner > 0 && !alive(runner);
    const watchdogDone = !watchdog || !alive(watchdog);
    if (runnerDone && watchdogDone && sessionMembers([...sids]).length === 0) {
      ended = true;
      break;
    }
    if (Date.now() > deadline) break;
    void journal;
    await new Promise((r) => setTimeout(r, 25));
  }
  await during;
  const leftovers = sessionMembers([...sids]);
  // never leave a stuck run behind, whatever the test says about it
  for (const sid of sids) {
    try {
      process.kill(-sid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  const journal = read(join(dir, 'journal.jsonl'));
  const invalidLines = journal.split('\n').filter((l) => l.trim() !== '' && !readJournalLine(l));
  const chain = read(join(state, 'chain')).split('\n').filter(Boolean);
  const lockFile = join(hostDir, 'locks', `${FAKE_UUID}.lock`);
  let lockFree = true;
  if (existsSync(lockFile)) {
    try {
      execFileSync('flock', ['-n', lockFile, 'true']);
    } catch {
      lockFree = false;
    }
  }
  return {
    opId,
    journal,
    invalidLines,
    summary: summarize(opId, parseJournal(journal), true),
    frozen: Number(read(join(state, 'frozen')).trim() || 0),
    domstate: read(join(state, 'domstate')).trim(),
    chain,
    missing: chain.filter((f) => !existsSync(f)),
    snapshots: readdirSync(join(state, 'snapshots')),
    strays: readdirSync(images)
      .map((f) => join(images, f))
      .filter((f) => !chain.includes(f)),
    trace: read(join(state, 'trace')).split('\n').filter(Boolean),
    lockFree,
    leftovers,
    ended,
    ctx,
  };
}

export function cleanup(o: FaultOutcome): void {
  rmSync(o.ctx.root, { recursive: true, force: true });
}

/** Was the cut of `name` made entirely while the guest was frozen, as the fake saw it? */
export function cutWhileFrozen(o: FaultOutcome): boolean {
  const start = o.trace.find((l) => l.startsWith('cut-start'));
  const end = o.trace.find((l) => l.startsWith('cut-end'));
  const frozenIn = (l?: string) => Number(/frozen=(\d+)/.exec(l ?? '')?.[1] ?? 0) > 0;
  return frozenIn(start) && frozenIn(end);
}

/**
 * The promises, for any run whatever its faults: never left frozen, never mislabelled, nothing
 * in use lost, a journal that reads, a free lock, nothing left running. Returns what broke.
 */
export function brokenPromises(o: FaultOutcome): string[] {
  const broken: string[] = [];
  if (!o.ended) broken.push(`did not end: ${o.leftovers.join('; ')}`);
  if (o.frozen > 0) broken.push(`left frozen (${o.frozen} filesystems)`);
  if (o.invalidLines.length > 0)
    broken.push(`invalid journal lines: ${o.invalidLines.join(' | ')}`);
  // Valid lines the app reads nothing from (only an overlay made or removed is for the host alone)
  const unread = o.journal
    .split('\n')
    .filter((l) => l.trim() !== '' && !o.invalidLines.includes(l))
    .filter(
      (l) =>
        parseJournal(l).length === 0 && !/^\{"ev":"overlay",.*"act":"(created|removed)"/.test(l),
    );
  if (unread.length > 0)
    broken.push(`journal lines the app reads nothing from: ${unread.join(' | ')}`);
  if (o.missing.length > 0) broken.push(`files in use deleted: ${o.missing.join(', ')}`);
  if (!o.lockFree) broken.push('the lock is still held');
  if (o.leftovers.length > 0) broken.push(`processes left: ${o.leftovers.join('; ')}`);
  const label = o.summary.label?.kind;
  if (label === 'quiesced' && !cutWhileFrozen(o))
    broken.push('labelled quiesced, cut while thawed');
  const events = parseJournal(o.journal);
  const result = events.find((e) => e.kind === 'result');
  const started = events.find((e) => e.kind === 'started');
  const testFreeze = started?.kind === 'started' && started.operation === 'test-freeze';
  if (result?.kind === 'result' && !testFreeze) {
    // Taken: libvirt lists it, or (its metadata not recorded yet) the disk switched to its overlay.
    const name = started?.kind === 'started' ? started.snapshot : undefined;
    const taken =
      o.snapshots.length > 0 ||
      (name !== undefined && o.chain.some((f) => f.endsWith(`.${name}.qcow2`)));
    if (result.ok && !taken) broken.push('says ok, but no snapshot exists');
    if (result.snapshotTaken === false && taken) broken.push('says no snapshot, but one exists');
    if (result.snapshotTaken === true && !taken)
      broken.push('says snapshot taken, but none exists');
    if (taken && !label && result.snapshotTaken !== undefined)
      broken.push('a snapshot exists without a label');
  }
  return broken;
}
