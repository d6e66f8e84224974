/**
 * The blocked-write window of a consistent snapshot (DESIGN "Measures that matter"): what the
 * guest sees of Quiesce's freeze → cut → thaw, against libvirt's own `snapshot-create-as
 * --disk-only --atomic --quiesce` of the same guest in the same run, and the same Quiesce
 * snapshot again over an SSH link with added latency (the cut happens on the host, so the
 * link should not show in the guest).
 *
 * The guest's measure: the lab agent guest's writer appends its CLOCK_MONOTONIC every 10 ms to
 * /data, the filesystem the agent freezes; a blocked write shows as one long gap between two
 * consecutive samples. Each run restarts the writer (which truncates its log), waits `settleMs`,
 * takes the snapshot, waits `settleMs` after it ended and reads the log: the run's gap is the
 * longest gap in that log, which spans the whole run and nothing of any other run. No clock has
 * to be mapped between host and guest. A blocked write shows as the blocked time plus up to one
 * 10 ms tick (the writer sleeps to its next tick after the write returns), the same for every
 * kind of run.
 *
 * The three kinds are interleaved — each round runs one of each, the order rotated from round to
 * round — so a noisy machine (2 cores) skews them alike, and the ratios come from one run. After
 * every run its snapshot is deleted (libvirt 9.0 merges an external snapshot back), so the chain
 * stays one image deep; at the end the guest must have no snapshot of the bench's and be thawed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { run } from '../test/lab/exec.js';
import {
  LabError,
  guestAgentCommand,
  readWriterSamples,
  setWriter,
  writerGapsMs,
  type LabProfile,
} from '../test/lab/lab.js';
import { waitForEnd } from '../test/support/snapshot-helpers.js';
import { TcpRelay } from '../test/support/tcp-relay.js';
import type { ClientWatch } from './lab-clients.js';
import type { Services } from './services.js';
import { BenchError, fmtSamples, median, percentile, sleep, type Log } from './util.js';

export type WindowKind = 'quiesce' | 'libvirt' | 'delayed';

export interface WindowRun {
  kind: WindowKind;
  snapshot: string;
  /** The longest gap between consecutive writer samples over the run (the blocked write). */
  gapMs: number;
  /** The second-longest gap of the same log: the writer's own jitter beside the freeze. */
  nextGapMs: number;
  samples: number;
  /** Bench wall clock: snapshot.start → its end event (Quiesce), or the virsh command (libvirt). */
  wallMs: number;
  /** Quiesce: the window its runner reported (summary.windowMs, host clock). */
  reportedMs?: number;
  /** Quiesce: "precreated" or "libvirt", from the runner's `disks` journal event. */
  overlays?: string;
  /** Quiesce: the runner's journal on the host (see journalTimes). */
  journal?: JournalTimes;
}

/**
 * What the runner's journal says of one window, on the host's monotonic clock (/proc/uptime:
 * 10 ms steps): freeze issued → `frozen` line (domfsfreeze answered) → `thaw` running (the cut
 * answered) → thaw returned.
 */
export interface JournalTimes {
  opId: string;
  freezeMs: number;
  cutMs: number;
  thawMs: number;
  windowMs: number;
}

export interface WindowResult {
  guest: string;
  /** Quiesce runs over the direct link (as many of each other kind). */
  runs: number;
  reportedP50Ms: number;
  guestGapP50Ms: number;
  guestGapP90Ms: number;
  libvirtGuestGapP50Ms: number;
  libvirtGuestGapP90Ms: number;
  libvirtCommandP50Ms: number;
  ratio: number;
  delayedLinkGuestGapP50Ms: number;
  delayedLinkRatio: number;
  /** Added round-trip latency of the delayed link. */
  delayedLinkRttMs: number;
  /** Quiesce runs (both links) whose runner pre-created the overlays, of all Quiesce runs. */
  overlays: { precreated: number; byLibvirt: number; of: number };
  journal: { freezeP50Ms: number; cutP50Ms: number; thawP50Ms: number } | undefined;
  runsByKind: Record<WindowKind, WindowRun[]>;
  notes: string[];
  /** Left-over state found at the end (snapshots, a frozen guest, files): said as warnings. */
  problems: string[];
}

export interface WindowBenchOptions {
  /** Counted runs of each kind. */
  runs: number;
  /** One-way delay of the relay for the delayed link (the round trip gains twice this). */
  delayMsOneWay: number;
  /** Writer running before the snapshot starts and after it ended, in each run. */
  settleMs: number;
  /** Failed runs tolerated before the bench gives up. */
  maxFailures: number;
  /** Runs dropped because another session operated on the guest meanwhile, before giving up. */
  maxDropped: number;
}

const KINDS: readonly WindowKind[] = ['quiesce', 'libvirt', 'delayed'];
const KIND_LETTER: Record<WindowKind, string> = { quiesce: 'q', libvirt: 'l', delayed: 'd' };
/** Every snapshot the bench takes is named `bench-<tag>-<letter><n>` (see leftover removal). */
const OURS = /^bench-[a-z0-9]+-[qldw]\d+(?:r\d+)?$/;

/** One run did not give a valid sample: retried. `foreign`: another session's doing. */
class RunFailed extends Error {
  constructor(
    message: string,
    readonly foreign = false,
  ) {
    super(message);
  }
}

/** Clean-up has begun (a signal): no new run may start. */
class Interrupted extends Error {
  override name = 'Interrupted';
}

let cleanupOnce: (() => Promise<string[]>) | undefined;

/**
 * For run.ts' signal and error paths: if the window bench is running, turns the writer off,
 * closes the relay and the app sessions, waits for a snapshot in flight, thaws the guest if it
 * is frozen and deletes the bench's snapshots. Returns the problems it could not fix.
 */
export function cleanupWindowBench(): Promise<string[]> {
  return cleanupOnce ? cleanupOnce() : Promise.resolve([]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function labUserHome(user: string): string {
  try {
    const home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5];
    if (home) return home.trim();
  } catch {
    // fall through
  }
  return `/home/${user}`;
}

/** The known_hosts text with the lab sshd's `[addr]:port` entry moved to the relay's port. */
function knownHostsForPort(text: string, profile: LabProfile, port: number): string {
  const from = `[${profile.address}]:${profile.port} `;
  const lines = text.split('\n');
  if (!lines.some((l) => l.startsWith(from)))
    throw new BenchError(
      `${profile.knownHostsPath} has no plain "${from.trim()}" entry to point at the relay`,
    );
  return lines
    .map((l) => (l.startsWith(from) ? `[${profile.address}]:${port} ${l.slice(from.length)}` : l))
    .join('\n');
}

/** Freeze, cut and thaw durations from one runner journal (undefined if it lacks a line). */
export function journalTimes(opId: string, text: string): JournalTimes | undefined {
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
  const monoOf = (pred: (x: Record<string, unknown>) => boolean) => {
    const v = lines.find(pred)?.mono;
    return typeof v === 'number' ? v : undefined;
  };
  const thawed = lines.find((x) => x.ev === 'thawed');
  const start = thawed?.windowStartMono;
  const end = thawed?.windowEndMono;
  const frozen = monoOf((x) => x.ev === 'frozen');
  const thawRunning = monoOf((x) => x.ev === 'phase' && x.phase === 'thaw');
  if (
    typeof start !== 'number' ||
    typeof end !== 'number' ||
    frozen === undefined ||
    thawRunning === undefined
  )
    return undefined;
  return {
    opId,
    freezeMs: frozen - start,
    cutMs: thawRunning - frozen,
    thawMs: end - thawRunning,
    windowMs: end - start,
  };
}

export async function benchWindow(
  svc: Services,
  profile: LabProfile,
  watch: ClientWatch,
  log: Log,
  opts: WindowBenchOptions,
): Promise<WindowResult> {
  const agent = profile.guests.find((g) => g.role === 'agent');
  if (!agent) throw new BenchError('the lab profile names no agent guest');
  const D = agent.name;
  const uri = profile.libvirtUri;
  const tag = Date.now().toString(36);
  const notes: string[] = [];
  const problems: string[] = [];
  const opsDir = path.join(labUserHome(profile.user), '.quiesce');
  const ourOps = new Set<string>();
  const foreignSnapshots = new Set<string>();
  const virsh = (...args: string[]) =>
    run('virsh', ['-q', '-c', uri, ...args], {
      check: false,
      timeoutMs: 90_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
  /** The guest's snapshots, children before parents (the order to delete them in). */
  const snapshots = async () => {
    const r = await virsh('snapshot-list', D, '--name', '--topological');
    if (r.code !== 0) throw new BenchError(`virsh snapshot-list ${D}: ${r.stderr.trim()}`);
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .reverse();
  };
  const freezeStatus = () =>
    guestAgentCommand(D, { execute: 'guest-fsfreeze-status' }, { timeoutSec: 5 }).then(
      (v) => String(v),
      (e: Error) => `error: ${e.message}`,
    );
  const topImage = async () => {
    const r = await virsh('domblklist', D);
    return /^\s*vda\s+(\S.*)$/m.exec(r.stdout)?.[1]?.trim();
  };
  /** Deletes one snapshot; says what went wrong, if anything. */
  const deleteSnapshot = async (name: string): Promise<string | undefined> => {
    const r = await virsh('snapshot-delete', D, name);
    if (r.code === 0) return undefined;
    if (!(await snapshots()).includes(name)) return undefined; // never taken, or gone already
    return `virsh snapshot-delete ${D} ${name}: ${(r.stderr || r.stdout).trim()}`;
  };

  /** Waits (up to `ms`) until the guest's agent says thawed: another session may hold it. */
  const waitThawed = async (ms: number) => {
    const deadline = performance.now() + ms;
    for (;;) {
      const st = await freezeStatus();
      if (st === 'thawed' || performance.now() > deadline) return st;
      await sleep(500);
    }
  };

  // ---- before: a thawed guest, nothing left of an interrupted bench ----
  const status = await waitThawed(20_000);
  if (status !== 'thawed')
    throw new BenchError(`${D} is not thawed before the bench (${status}): another session?`);
  for (const name of await snapshots()) {
    if (!OURS.test(name)) {
      foreignSnapshots.add(name);
      continue;
    }
    log(`window: deleting ${name}, left by an interrupted bench`);
    const why = await deleteSnapshot(name);
    if (why) throw new BenchError(why);
  }
  if (foreignSnapshots.size > 0)
    notes.push(
      `WARNING: ${D} already had snapshots the bench did not take (${[...foreignSnapshots].join(', ')}): ` +
        `its chain is deeper than one image; another session?`,
    );
  const top = await topImage();
  if (!top) throw new BenchError(`virsh domblklist ${D} shows no vda disk`);
  const imageDir = path.dirname(top);

  /**
   * Other sessions' operations (the runner journals in the lab user's host folder, shared by
   * every app session) that ran between fromNs and toNs (realtime ns: the host is this machine).
   */
  const foreignOps = (fromNs: bigint, toNs: bigint) => {
    const dir = path.join(opsDir, 'ops');
    // Op ids start with their UTC start second: skip anything older than 10 minutes before.
    const oldest = new Date(Number(fromNs / 1_000_000n) - 600_000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    let ids: string[] = [];
    try {
      ids = readdirSync(dir).filter((id) => id >= oldest && !ourOps.has(id));
    } catch {
      return [];
    }
    const found: { opId: string; onGuest: boolean }[] = [];
    for (const opId of ids) {
      let text = '';
      try {
        text = readFileSync(path.join(dir, opId, 'journal.jsonl'), 'utf8');
      } catch {
        continue;
      }
      const rts = [...text.matchAll(/"rt":(\d+)/g)].map((m) => BigInt(m[1]!));
      if (rts.length === 0) continue;
      const first = rts.reduce((a, b) => (b < a ? b : a));
      // Still running: no end line and its runner alive (a killed runner never writes one).
      const pid = Number(/"ev":"start".*?"pid":(\d+)/.exec(text)?.[1] ?? 0);
      const running = !text.includes('"ev":"end"') && pid > 0 && isAlive(pid);
      const last = running ? toNs : rts.reduce((a, b) => (b > a ? b : a));
      if (first <= toNs && last >= fromNs)
        found.push({ opId, onGuest: text.includes(`"uuid":"${agent.uuid}"`) });
    }
    return found;
  };
  const nowNs = () => BigInt(Date.now()) * 1_000_000n;
  const othersOnHost = new Set<string>();
  /** Runs taken while another session's snapshot was on top of the disk. */
  const onForeignTop: string[] = [];
  let foreignTop: string | undefined;

  const knownHosts = readFileSync(profile.knownHostsPath, 'utf8');
  const h = svc.serviceHarness({ knownHosts });
  let hd: typeof h | undefined;
  const relay = new TcpRelay({ host: profile.address, port: profile.port }, opts.delayMsOneWay);
  let relayStarted = false;
  let writerOn = false;
  /** The snapshot in flight, if any: clean-up waits for it before it deletes anything. */
  let inFlight: Promise<unknown> | undefined;

  let cleanup: Promise<string[]> | undefined;
  let stopping = false;
  const doCleanup = () =>
    (cleanup ??= (async () => {
      stopping = true;
      const left: string[] = [];
      const attempt = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          left.push(`${what}: ${(err as Error).message}`);
        }
      };
      if (inFlight) {
        log('window: waiting for the snapshot in flight before cleaning up');
        await Promise.race([inFlight.catch(() => undefined), sleep(30_000)]);
      }
      // A runner cut short keeps its watchdog, and another session's freeze has its own: wait
      // for them a little, then thaw (the bench does not leave the guest to them).
      const st = await waitThawed(15_000);
      if (st !== 'thawed') {
        left.push(`${D} was ${st} after the bench; thawing it`);
        await attempt(`thawing ${D}`, () =>
          guestAgentCommand(D, { execute: 'guest-fsfreeze-thaw' }, { timeoutSec: 5 }),
        );
      }
      if (writerOn) await attempt(`turning the writer of ${D} off`, () => setWriter(D, false));
      writerOn = false;
      h.dispose();
      rmSync(h.dir, { recursive: true, force: true });
      if (hd) {
        hd.dispose();
        rmSync(hd.dir, { recursive: true, force: true });
      }
      if (relayStarted) await attempt('closing the relay', () => relay.stop());
      relayStarted = false;
      await attempt('deleting the bench snapshots', async () => {
        for (const name of await snapshots()) {
          if (!name.startsWith(`bench-${tag}-`)) continue;
          left.push(`${name} was left on ${D}; deleting it`);
          const why = await deleteSnapshot(name);
          if (why) left.push(why);
        }
      });
      return left;
    })());
  cleanupOnce = doCleanup;

  try {
    const connect = async (hh: typeof h, name: string, port: number) => {
      const hostId = (
        await hh.call('hosts.save', svc.labHostDraft(profile, { name, libvirtUri: uri, port }))
      ).id;
      const c = await hh.call('hosts.connect', { hostId });
      if (c.status !== 'connected')
        throw new BenchError(`window: cannot connect to the lab sshd on port ${port}: ${c.status}`);
      return hostId;
    };
    const hostId = await connect(h, 'bench-window', profile.port);
    await relay.start();
    relayStarted = true;
    hd = svc.serviceHarness({ knownHosts: knownHostsForPort(knownHosts, profile, relay.port) });
    const t0 = performance.now();
    const delayedHostId = await connect(hd, 'bench-window-delayed', relay.port);
    log(
      `window: connected through the relay (+${2 * opts.delayMsOneWay} ms round trip) in ${Math.round(performance.now() - t0)} ms`,
    );
    const session = { quiesce: { h, hostId }, delayed: { h: hd, hostId: delayedHostId } };

    /**
     * One snapshot of `kind` with the writer on; throws RunFailed when it gave no valid sample
     * (it failed, or another session operated on the guest meanwhile).
     */
    const measure = async (kind: WindowKind, name: string): Promise<WindowRun> => {
      const fromNs = nowNs();
      // Another session's snapshot on top of the disk means a deeper chain (and the runner may
      // not be able to pre-create an overlay on an image it cannot read): give its test a
      // moment to delete it, else measure anyway and say so.
      let before = await topImage();
      if (before !== top && before !== foreignTop) {
        for (let i = 0; before !== top && i < 20; i++) {
          await sleep(1000);
          before = await topImage();
        }
        // Waited once for this one: the next runs do not wait for it again.
        if (before !== top) foreignTop = before;
      }
      if (before !== top) onForeignTop.push(name);
      try {
        const r = await measureOnce(kind, name);
        // After the bench's own snapshot is deleted, the disk is what it was before the run,
        // unless another session cut or deleted a snapshot meanwhile.
        const after = await topImage();
        if (after !== before)
          throw new RunFailed(
            `${name} dropped: ${D}'s disk changed during the run, ${before ?? '?'} -> ${after ?? '?'} (another session's snapshot)`,
            true,
          );
        const others = foreignOps(fromNs, nowNs());
        for (const o of others) othersOnHost.add(o.opId);
        const onGuest = others.filter((o) => o.onGuest);
        if (onGuest.length > 0)
          throw new RunFailed(
            `${name} dropped: another session's operation ${onGuest.map((o) => o.opId).join(', ')} on ${D} overlapped it`,
            true,
          );
        return r;
      } catch (err) {
        if (err instanceof RunFailed) throw err;
        if (!(err instanceof BenchError || err instanceof LabError)) throw err;
        const others = foreignOps(fromNs, nowNs()).filter((o) => o.onGuest);
        throw new RunFailed(
          `${name}: ${err.message}` +
            (others.length > 0
              ? ` (another session's operation ${others.map((o) => o.opId).join(', ')} on ${D} overlapped it)`
              : ''),
          // A guest frozen, a block job or the domain lock held by someone else.
          others.length > 0 || /frozen|block job|another operation/.test(err.message),
        );
      }
    };
    const measureOnce = async (kind: WindowKind, name: string): Promise<WindowRun> => {
      const check = () => {
        if (stopping) throw new Interrupted('the window bench is being cleaned up');
      };
      check();
      writerOn = true;
      await setWriter(D, false);
      await setWriter(D, true); // truncates the log
      if (stopping) {
        // Clean-up may have turned the writer off just before this turned it on again.
        await setWriter(D, false);
        check();
      }
      await sleep(opts.settleMs);
      // Both app sessions keep one event follower of the host each.
      watch.sample(2);
      let done: Omit<WindowRun, 'gapMs' | 'nextGapMs' | 'samples'>;
      check();
      try {
        if (kind === 'libvirt') {
          const cut = virsh('snapshot-create-as', D, name, '--disk-only', '--atomic', '--quiesce');
          inFlight = cut;
          const r = await cut;
          if (r.code !== 0)
            throw new BenchError(`libvirt's snapshot ${name}: ${(r.stderr || r.stdout).trim()}`);
          done = { kind, snapshot: name, wallMs: r.ms };
        } else {
          const s0 = session[kind];
          const t = performance.now();
          const { opId } = await s0.h.call('snapshot.start', {
            hostId: s0.hostId,
            uuid: agent.uuid,
            name,
            description: 'quiesce bench: blocked-write window',
            policy: 'require',
            maxFreezeS: 10,
          });
          ourOps.add(opId);
          const end = waitForEnd(s0.h, opId, 60_000);
          inFlight = end;
          const s = await end;
          const wallMs = performance.now() - t;
          if (s.state !== 'succeeded' || s.label?.kind !== 'quiesced')
            throw new BenchError(
              `Quiesce's snapshot ${name} (${opId}): ${s.state}, ${s.label?.kind ?? 'no label'}` +
                `${s.error ? `: ${s.error.message} ${s.error.cause ?? ''}` : ''}`,
            );
          let journal: JournalTimes | undefined;
          try {
            journal = journalTimes(
              opId,
              readFileSync(path.join(opsDir, 'ops', opId, 'journal.jsonl'), 'utf8'),
            );
          } catch {
            journal = undefined;
          }
          done = {
            kind,
            snapshot: name,
            wallMs,
            reportedMs: s.windowMs ?? Number.NaN,
            ...(s.overlays ? { overlays: s.overlays } : {}),
            ...(journal ? { journal } : {}),
          };
        }
        watch.sample(2);
        await sleep(opts.settleMs);
        const samples = await readWriterSamples(D);
        const expected = (opts.settleMs * 2 + done.wallMs) / 10;
        if (samples.length < expected / 2)
          throw new BenchError(
            `the writer of ${D} logged ${samples.length} samples over a run that should give ~${Math.round(expected)}: ` +
              `is another session switching it?`,
          );
        const gaps = writerGapsMs(samples).sort((a, b) => b - a);
        return { ...done, gapMs: gaps[0]!, nextGapMs: gaps[1] ?? 0, samples: samples.length };
      } finally {
        inFlight = undefined;
        const why = await deleteSnapshot(name);
        if (why) problems.push(why);
      }
    };

    const runs: Record<WindowKind, WindowRun[]> = { quiesce: [], libvirt: [], delayed: [] };
    const failures: string[] = [];
    const dropped: string[] = [];
    const attempt = async (kind: WindowKind, label: string): Promise<WindowRun> => {
      for (let n = 1; ; n++) {
        const name = `bench-${tag}-${label}${n > 1 ? `r${n}` : ''}`;
        try {
          return await measure(kind, name);
        } catch (err) {
          if (!(err instanceof RunFailed)) throw err;
          (err.foreign ? dropped : failures).push(err.message);
          log(`window: ${err.foreign ? 'DROPPED' : 'FAILED'}: ${err.message}`);
          if (failures.length > opts.maxFailures || dropped.length > opts.maxDropped)
            throw new BenchError(
              `window: too many runs without a valid sample (another session using ${D}?): ` +
                [...failures, ...dropped].join(' | '),
            );
          // Another session may hold the guest frozen (its watchdog thaws it): wait for that.
          await sleep(1000);
          await waitThawed(30_000);
        }
      }
    };
    const fmtRun = (r: WindowRun) =>
      `gap ${r.gapMs.toFixed(1)} ms` +
      (r.reportedMs !== undefined ? `, reported ${r.reportedMs} ms` : '') +
      (r.journal
        ? ` (freeze ${r.journal.freezeMs} + cut ${r.journal.cutMs} + thaw ${r.journal.thawMs})`
        : '') +
      `, ${r.kind === 'libvirt' ? 'command' : 'start→end'} ${Math.round(r.wallMs)} ms`;

    log(`window: warm-up, one run of each kind (not counted)`);
    for (const kind of KINDS) {
      const r = await attempt(kind, `w${KINDS.indexOf(kind)}`);
      log(`window: warm-up ${kind}: ${fmtRun(r)}`);
    }
    for (let i = 0; i < opts.runs; i++) {
      const order = KINDS.map((_, j) => KINDS[(i + j) % KINDS.length]!);
      for (const kind of order) {
        const r = await attempt(kind, `${KIND_LETTER[kind]}${i}`);
        runs[kind].push(r);
        log(`window: round ${i + 1}/${opts.runs} ${kind}: ${fmtRun(r)}`);
      }
    }

    // ---- after: the bench's own state undone, then checked ----
    problems.push(...(await doCleanup()));
    const leftSnapshots = await snapshots();
    const ours = leftSnapshots.filter((n) => OURS.test(n));
    if (ours.length > 0) problems.push(`${D} still has the bench's snapshots ${ours.join(', ')}`);
    const newForeign = leftSnapshots.filter((n) => !OURS.test(n) && !foreignSnapshots.has(n));
    if (newForeign.length > 0)
      notes.push(
        `WARNING: snapshots of ${D} appeared during the bench that it did not take (${newForeign.join(', ')}): another session`,
      );
    const finalStatus = await freezeStatus();
    if (finalStatus !== 'thawed') problems.push(`${D} is ${finalStatus} after the bench`);
    const finalTop = await topImage();
    if (finalTop !== top)
      problems.push(`${D}'s disk is now ${finalTop ?? '?'}, was ${top} before the bench`);
    const stray = readdirSync(imageDir).filter((f) => f.includes(`bench-${tag}-`));
    for (const f of stray) {
      problems.push(`overlay ${f} left in ${imageDir}; removed`);
      rmSync(path.join(imageDir, f), { force: true });
    }
    if (problems.length === 0)
      log(`window: ${D} is thawed, has no bench snapshot left, its disk is ${top} again`);
    // ---- the numbers ----
    const gaps = (k: WindowKind) => runs[k].map((r) => r.gapMs);
    const q = runs.quiesce;
    const allQuiesce = [...runs.quiesce, ...runs.delayed];
    const guestGapP50Ms = median(gaps('quiesce'));
    const libvirtGuestGapP50Ms = median(gaps('libvirt'));
    const delayedLinkGuestGapP50Ms = median(gaps('delayed'));
    const withJournal = allQuiesce.flatMap((r) => (r.journal ? [r.journal] : []));
    const journal =
      withJournal.length > 0
        ? {
            freezeP50Ms: median(withJournal.map((j) => j.freezeMs)),
            cutP50Ms: median(withJournal.map((j) => j.cutMs)),
            thawP50Ms: median(withJournal.map((j) => j.thawMs)),
          }
        : undefined;
    const precreated = allQuiesce.filter((r) => r.overlays === 'precreated').length;
    const overlays = {
      precreated,
      byLibvirt: allQuiesce.filter((r) => r.overlays === 'libvirt').length,
      of: allQuiesce.length,
    };
    const covered = allQuiesce.filter((r) => (r.reportedMs ?? 0) >= r.gapMs - 20).length;
    const noisy = KINDS.flatMap((k) => runs[k]).filter((r) => r.nextGapMs > 40);
    notes.push(
      `window: ${D}, ${opts.runs} counted runs each of Quiesce (snapshot.start through the app's services, ssh2 to the lab sshd), ` +
        `libvirt's own \`virsh snapshot-create-as ${D} NAME --disk-only --atomic --quiesce\` (local, as root) and Quiesce over ` +
        `a relay adding ${2 * opts.delayMsOneWay} ms round trip; each round runs one of each, order rotated; 1 warm-up of each not counted`,
      `window: guest gap = longest gap between consecutive samples of the guest's 10 ms writer (guest CLOCK_MONOTONIC), ` +
        `the writer restarted (log truncated) ${opts.settleMs} ms before each snapshot and read ${opts.settleMs} ms after it ended; ` +
        `a blocked write shows as the blocked time + up to one 10 ms tick. Writer jitter (2nd-longest gap of a run): median ` +
        `${median(KINDS.flatMap((k) => runs[k]).map((r) => r.nextGapMs)).toFixed(1)} ms` +
        (noisy.length > 0 ? `; over 40 ms in ${noisy.length} run(s) (a busy machine)` : ''),
      `window: guest gap ms per run: Quiesce ${fmtSamples(gaps('quiesce'))}; libvirt ${fmtSamples(gaps('libvirt'))}; ` +
        `Quiesce delayed link ${fmtSamples(gaps('delayed'))}`,
      `window: Quiesce reported windowMs per run: ${fmtSamples(q.map((r) => r.reportedMs ?? Number.NaN))} (delayed link: ` +
        `${fmtSamples(runs.delayed.map((r) => r.reportedMs ?? Number.NaN))}); reported >= guest gap - 20 ms in ${covered}/${allQuiesce.length} (DESIGN rule 3)`,
      `window: libvirt command ms per run: ${fmtSamples(runs.libvirt.map((r) => r.wallMs))}; Quiesce snapshot.start -> end seen, ` +
        `median ${Math.round(median(q.map((r) => r.wallMs)))} ms direct, ${Math.round(median(runs.delayed.map((r) => r.wallMs)))} ms over the delayed link`,
      `window: overlays pre-created by the runner in ${precreated}/${overlays.of} Quiesce runs, by libvirt in ${overlays.byLibvirt} ` +
        `(runner's \`disks\` journal event)` +
        (precreated < allQuiesce.length
          ? ': NOT pre-created every time — libvirt then creates them inside the frozen window'
          : ', handed to libvirt with --reuse-external'),
      journal
        ? `window: runner journal (host /proc/uptime, 10 ms steps), median over ${withJournal.length} Quiesce runs: ` +
            `freeze issued -> frozen ${journal.freezeP50Ms} ms, cut ${journal.cutP50Ms} ms, thaw ${journal.thawP50Ms} ms`
        : `window: the runner journals under ${opsDir}/ops could not be read`,
      `window: every snapshot deleted right after its run (virsh snapshot-delete: libvirt 9.0 merges the overlay back); ` +
        `at the end ${D} ${problems.length === 0 ? 'is thawed and has no bench snapshot left' : 'needed clean-up (see warnings)'}`,
      ...(failures.length > 0
        ? [`window: ${failures.length} failed run(s) retried: ${failures.join(' | ')}`]
        : []),
      ...(dropped.length > 0
        ? [
            `WARNING: ${dropped.length} run(s) dropped and retried because another session operated on ${D} meanwhile: ${dropped.join(' | ')}`,
          ]
        : []),
      ...(onForeignTop.length > 0
        ? [
            `WARNING: ${onForeignTop.length} run(s) taken with another session's snapshot on top of ${D}'s disk (not ${top}): ${onForeignTop.join(', ')}`,
          ]
        : []),
      ...(othersOnHost.size > 0
        ? [
            `WARNING: ${othersOnHost.size} operation(s) of another Quiesce session ran on the lab host during the window bench (${[...othersOnHost].join(', ')}): the machine was busier; the window numbers may be skewed`,
          ]
        : []),
    );
    return {
      guest: D,
      runs: q.length,
      reportedP50Ms: median(q.map((r) => r.reportedMs ?? Number.NaN)),
      guestGapP50Ms,
      guestGapP90Ms: percentile(gaps('quiesce'), 90),
      libvirtGuestGapP50Ms,
      libvirtGuestGapP90Ms: percentile(gaps('libvirt'), 90),
      libvirtCommandP50Ms: median(runs.libvirt.map((r) => r.wallMs)),
      ratio: guestGapP50Ms / libvirtGuestGapP50Ms,
      delayedLinkGuestGapP50Ms,
      delayedLinkRatio: delayedLinkGuestGapP50Ms / guestGapP50Ms,
      delayedLinkRttMs: 2 * opts.delayMsOneWay,
      overlays,
      journal,
      runsByKind: runs,
      notes,
      problems,
    };
  } catch (err) {
    for (const p of await doCleanup()) log(`WARNING: ${p}`);
    throw err;
  } finally {
    await doCleanup();
    cleanupOnce = undefined;
  }
}
