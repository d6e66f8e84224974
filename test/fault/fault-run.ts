/**
 * Runs the real host runner (launch.sh → snapshot-runner.sh → watchdog.sh, exactly as shipped)
 * against the scripted fake `virsh`/`qemu-img` (fake-virsh.sh), under a chosen POSIX shell, with
 * optional signals at a chosen moment; waits until every process it started is gone; and returns
 * what a restore would care about: the fake guest's state, its files, the journal, the lock.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
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
import {
  lockIsFree,
  readIf as read,
  watchRun,
  writeFakeBin,
  type RunSignal,
  type RunWatch,
  type Shell,
} from './run-watch';

const here = dirname(fileURLToPath(import.meta.url));
const FAKE = join(here, 'fake-virsh.sh');
const FAKE_CLOCK = join(here, 'fake-clock.sh');
export const FAKE_UUID = '00000000-0000-4000-8000-00000000000a';

export type { Shell };
export const SHELLS: readonly Shell[] = ['dash', 'bash', 'busybox'];

/**
 * A fault of the runner's clock (host-lib.sh's clock_start), played by fake-clock.sh: `stop`
 * (SIGSTOP), `kill` (SIGKILL), `garbage` (a line that is no time), `mute` (no answer, reading on).
 */
export interface ClockFault {
  how: 'stop' | 'kill' | 'garbage' | 'mute';
  /** At the first reading made right after a journal line holding this text (the clock looks). */
  afterLine?: string;
  /**
   * Or from outside, once this holds: stop and kill as signals to the clock's process at that
   * moment, garbage and mute at its next reading.
   */
  when?: (w: RunWatch) => boolean;
}

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
  signal?: RunSignal;
  /** Something to do while the run goes on (resume a paused guest, start a second runner…). */
  during?: (ctx: FaultContext) => Promise<void>;
  /** The clock is fake-clock.sh, failing as this says. */
  clock?: ClockFault;
  /** Before the launch (e.g. leave an earlier run's orphan behind). */
  setup?: (ctx: FaultContext) => void;
  timeoutMs?: number;
}

/** What the watcher sees while the run goes on. */
export type Watch = RunWatch;

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
  /** What the fake clock did (its clock-fault file, or the signal sent to it); '' for none. */
  clockFault: string;
  /** With the fake clock: each date run other than the clock (a reading without it), its arguments. */
  dateCalls: string[];
  /** Processes of the runner's or the watchdog's session still alive at the end. */
  leftovers: string[];
  ended: boolean;
  ctx: FaultContext;
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
  writeFakeBin(bin, spec.shell, FAKE);
  if (spec.clock) {
    const real = ['/usr/bin/date', '/bin/date'].find((f) => existsSync(f)) ?? 'date';
    writeFileSync(
      join(bin, 'date'),
      `#!/bin/sh\nFAKE_REAL_DATE='${real}' exec dash '${FAKE_CLOCK}' "$@"\n`,
    );
    chmodSync(join(bin, 'date'), 0o755);
  }
  const base = join(images, 'data.qcow2');
  writeFileSync(base, '');
  const setState = (file: string, value: string) => writeFileSync(join(state, file), value + '\n');
  setState('top', base);
  setState('chain', base);
  setState('frozen', '0');
  setState('domstate', spec.domstate ?? 'running');
  writeFileSync(join(state, 'plan'), (spec.plan ?? []).join('\n') + '\n');
  if (spec.clock?.afterLine !== undefined)
    writeFileSync(join(state, 'clock-plan'), `${spec.clock.how} ${spec.clock.afterLine}\n`);
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
  const during = spec.during?.(ctx);
  let clockSignalled = '';
  const clock = spec.clock;
  const { ended, leftovers } = await watchRun({
    dir,
    traceFile: join(state, 'trace'),
    timeoutMs: spec.timeoutMs ?? 30_000,
    ...(spec.signal ? { signal: spec.signal } : {}),
    ...(clock?.when
      ? {
          tick: (w: RunWatch) => {
            if (clockSignalled || !clock.when!(w)) return;
            if (clock.how === 'garbage' || clock.how === 'mute') {
              writeFileSync(join(state, 'clock-plan'), `${clock.how}\n`);
              clockSignalled = `${clock.how} planned from outside`;
              return;
            }
            const pid = Number(read(join(state, 'clock.pid')).trim());
            if (!(pid > 0)) return; // the clock not started yet: look again at the next tick
            const sig = clock.how === 'stop' ? 'SIGSTOP' : 'SIGKILL';
            try {
              process.kill(pid, sig);
              clockSignalled = `${sig} sent from outside`;
            } catch {
              clockSignalled = `${sig} not sent: the clock ${pid} was gone`;
            }
          },
        }
      : {}),
  });
  await during;

  const journal = read(join(dir, 'journal.jsonl'));
  const invalidLines = journal.split('\n').filter((l) => l.trim() !== '' && !readJournalLine(l));
  const chain = read(join(state, 'chain')).split('\n').filter(Boolean);
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
    clockFault: [clockSignalled, read(join(state, 'clock-fault')).trim()]
      .filter(Boolean)
      .join('; '),
    dateCalls: read(join(state, 'date-calls')).split('\n').filter(Boolean),
    lockFree: lockIsFree(join(hostDir, 'locks', `${FAKE_UUID}.lock`)),
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
