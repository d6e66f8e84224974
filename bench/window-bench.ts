/**
 * The blocked-write window of a consistent snapshot (docs/ARCHITECTURE.md, "Measures that
 * matter"): what the guest sees of Quiesce's freeze → cut → thaw, against libvirt's own
 * `snapshot-create-as --disk-only --atomic --quiesce` of the same guest in the same run, the
 * same Quiesce snapshot over an SSH link with added latency (the cut happens on the host, so the
 * link should not show in the guest), and two references done by hand (by-hand-cut.ts): the
 * floor — the agent's freeze followed at once by its thaw — and the runner's own cut with
 * `--no-metadata`.
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
 * The kinds are interleaved — each round runs one of each, the order rotated from round to round
 * — so a noisy machine (2 cores) skews them alike, and the ratios come from one run. After every
 * run its snapshot is deleted (libvirt 9.0 merges an external snapshot back; a no-metadata cut is
 * merged back with blockcommit), so the chain stays one image deep; at the end the guest must
 * have no snapshot of the bench's and be thawed.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  LabError,
  readWriterSamples,
  setWriter,
  writerGapsMs,
  type LabProfile,
} from '../test/lab/lab.js';
import { labGuest } from '../test/support/lab-guest.js';
import { operationsOverlapping, readOperationJournal } from '../test/support/lab-operations.js';
import { connectLabHost, knownHostsForPort } from '../test/support/lab-session.js';
import { waitForEnd } from '../test/support/snapshot-helpers.js';
import { TcpRelay } from '../test/support/tcp-relay.js';
import { floorRun, noMetadataRun, undoNoMetadataCut } from './by-hand-cut.js';
import type { ClientWatch } from './lab-clients.js';
import type { Services } from './services.js';
import { BenchError, sleep, type Log } from './util.js';
import {
  WINDOW_KINDS,
  journalTimes,
  summarizeWindow,
  type WindowKind,
  type WindowNumbers,
  type WindowRun,
} from './window-summary.js';
import { windowNotes } from './window-notes.js';

export type { JournalTimes, WindowKind, WindowRun } from './window-summary.js';

export interface WindowResult extends WindowNumbers {
  guest: string;
  /** Added round-trip latency of the delayed link. */
  delayedLinkRttMs: number;
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

const KIND_LETTER: Record<WindowKind, string> = {
  quiesce: 'q',
  libvirt: 'l',
  delayed: 'd',
  floor: 'f',
  nometa: 'n',
};
/** Every snapshot the bench takes is named `bench-<tag>-<letter><n>` (see leftover removal). */
const OURS = /^bench-[a-z0-9]+-[qldwfn]\d+(?:r\d+)?$/;
/** The overlay of a no-metadata cut: no snapshot names it, only the file name does. */
const OUR_OVERLAY = /\.bench-[a-z0-9]+-[wn]\d+(?:r\d+)?\.qcow2$/;

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
  const guest = labGuest(uri, D);
  const tag = Date.now().toString(36);
  const notes: string[] = [];
  const problems: string[] = [];
  const ourOps = new Set<string>();
  const foreignSnapshots = new Set<string>();

  // ---- before: a thawed guest, nothing left of an interrupted bench ----
  const status = await guest.waitThawed(20_000);
  if (status !== 'thawed')
    throw new BenchError(`${D} is not thawed before the bench (${status}): another session?`);
  let top = await guest.topImage();
  if (top && OUR_OVERLAY.test(path.basename(top))) {
    log(`window: merging back ${top}, a no-metadata cut left by an interrupted bench`);
    const why = await undoNoMetadataCut(guest, top);
    if (why) throw new BenchError(why);
    top = await guest.topImage();
  }
  for (const name of await guest.snapshots()) {
    if (!OURS.test(name)) {
      foreignSnapshots.add(name);
      continue;
    }
    log(`window: deleting ${name}, left by an interrupted bench`);
    const why = await guest.deleteSnapshot(name);
    if (why) throw new BenchError(why);
  }
  if (foreignSnapshots.size > 0)
    notes.push(
      `WARNING: ${D} already had snapshots the bench did not take (${[...foreignSnapshots].join(', ')}): ` +
        `its chain is deeper than one image; another session?`,
    );
  top = await guest.topImage();
  if (!top) throw new BenchError(`virsh domblklist ${D} shows no vda disk`);
  const baseTop = top;
  const imageDir = path.dirname(top);

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
      const st = await guest.waitThawed(15_000);
      if (st !== 'thawed') {
        left.push(`${D} was ${st} after the bench; thawing it`);
        await attempt(`thawing ${D}`, () => guest.virsh('domfsthaw', D));
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
      await attempt('merging back a no-metadata cut', async () => {
        const now = await guest.topImage();
        if (now?.includes(`.bench-${tag}-`)) {
          left.push(`${now} was left on ${D}; merging it back`);
          const why = await undoNoMetadataCut(guest, now);
          if (why) left.push(why);
        }
      });
      await attempt('deleting the bench snapshots', async () => {
        for (const name of await guest.snapshots()) {
          if (!name.startsWith(`bench-${tag}-`)) continue;
          left.push(`${name} was left on ${D}; deleting it`);
          const why = await guest.deleteSnapshot(name);
          if (why) left.push(why);
        }
      });
      return left;
    })());
  cleanupOnce = doCleanup;

  try {
    const hostId = await connectLabHost(h, profile, { name: 'bench-window', libvirtUri: uri });
    await relay.start();
    relayStarted = true;
    hd = svc.serviceHarness({ knownHosts: knownHostsForPort(knownHosts, profile, relay.port) });
    const t0 = performance.now();
    const delayedHostId = await connectLabHost(hd, profile, {
      name: 'bench-window-delayed',
      libvirtUri: uri,
      port: relay.port,
    });
    log(
      `window: connected through the relay (+${2 * opts.delayMsOneWay} ms round trip) in ${Math.round(performance.now() - t0)} ms`,
    );
    const session = { quiesce: { h, hostId }, delayed: { h: hd, hostId: delayedHostId } };

    /**
     * One snapshot of `kind` with the writer on; throws RunFailed when it gave no valid sample
     * (it failed, or another session operated on the guest meanwhile).
     */
    const measure = async (kind: WindowKind, name: string): Promise<WindowRun> => {
      const fromMs = Date.now();
      // Another session's snapshot on top of the disk means a deeper chain (and the runner may
      // not be able to pre-create an overlay on an image it cannot read): give its test a
      // moment to delete it, else measure anyway and say so.
      let before = await guest.topImage();
      if (before !== baseTop && before !== foreignTop) {
        for (let i = 0; before !== baseTop && i < 20; i++) {
          await sleep(1000);
          before = await guest.topImage();
        }
        // Waited once for this one: the next runs do not wait for it again.
        if (before !== baseTop) foreignTop = before;
      }
      if (before !== baseTop) onForeignTop.push(name);
      try {
        const r = await measureOnce(kind, name);
        // After the bench's own snapshot is undone, the disk is what it was before the run,
        // unless another session cut or deleted a snapshot meanwhile.
        const after = await guest.topImage();
        if (after !== before)
          throw new RunFailed(
            `${name} dropped: ${D}'s disk changed during the run, ${before ?? '?'} -> ${after ?? '?'} (another session's snapshot)`,
            true,
          );
        const others = operationsOverlapping(fromMs, Date.now(), ourOps, agent.uuid);
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
        const others = operationsOverlapping(fromMs, Date.now(), ourOps, agent.uuid).filter(
          (o) => o.onGuest,
        );
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

    /** Quiesce's snapshot through the app's services, on the direct or the delayed link. */
    const quiesceRun = async (kind: 'quiesce' | 'delayed', name: string) => {
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
      const lines = readOperationJournal(opId);
      const journal = lines && journalTimes(opId, lines);
      return {
        wallMs,
        reportedMs: s.windowMs ?? Number.NaN,
        ...(s.overlays ? { overlays: s.overlays } : {}),
        ...(journal ? { journal } : {}),
      };
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
      let done: Omit<WindowRun, 'kind' | 'snapshot' | 'gapMs' | 'nextGapMs' | 'samples'>;
      /** What undoes this run's cut: a snapshot to delete, or a no-metadata overlay. */
      let overlay: string | undefined;
      check();
      try {
        if (kind === 'libvirt') {
          const cut = guest.virsh(
            'snapshot-create-as',
            D,
            name,
            '--disk-only',
            '--atomic',
            '--quiesce',
          );
          inFlight = cut;
          const r = await cut;
          if (r.code !== 0)
            throw new BenchError(`libvirt's snapshot ${name}: ${(r.stderr || r.stdout).trim()}`);
          done = { wallMs: r.ms };
        } else if (kind === 'floor') {
          const cut = floorRun(uri, agent.uuid);
          inFlight = cut;
          const r = await cut;
          done = { wallMs: r.wallMs, handWindowMs: r.windowMs };
        } else if (kind === 'nometa') {
          const cut = noMetadataRun(guest, uri, agent.uuid, name);
          inFlight = cut;
          const r = await cut;
          overlay = r.overlay;
          done = { wallMs: r.wallMs, handWindowMs: r.windowMs };
        } else {
          done = await quiesceRun(kind, name);
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
        return {
          kind,
          snapshot: name,
          ...done,
          gapMs: gaps[0]!,
          nextGapMs: gaps[1] ?? 0,
          samples: samples.length,
        };
      } finally {
        inFlight = undefined;
        const why =
          kind === 'floor'
            ? undefined
            : overlay
              ? await undoNoMetadataCut(guest, overlay)
              : await guest.deleteSnapshot(name);
        if (why) problems.push(why);
      }
    };

    const runs: Record<WindowKind, WindowRun[]> = {
      quiesce: [],
      libvirt: [],
      delayed: [],
      floor: [],
      nometa: [],
    };
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
          await guest.waitThawed(30_000);
        }
      }
    };
    const fmtRun = (r: WindowRun) =>
      `gap ${r.gapMs.toFixed(1)} ms` +
      (r.reportedMs !== undefined ? `, reported ${r.reportedMs} ms` : '') +
      (r.handWindowMs !== undefined ? `, freeze→thaw ${Math.round(r.handWindowMs)} ms` : '') +
      (r.journal
        ? ` (freeze ${r.journal.freezeMs} + cut ${r.journal.cutMs} + thaw ${r.journal.thawMs})`
        : '') +
      `, ${r.kind === 'quiesce' || r.kind === 'delayed' ? 'start→end' : 'command'} ${Math.round(r.wallMs)} ms`;

    log(`window: warm-up, one run of each kind (not counted)`);
    for (const kind of WINDOW_KINDS) {
      const r = await attempt(kind, `w${WINDOW_KINDS.indexOf(kind)}`);
      log(`window: warm-up ${kind}: ${fmtRun(r)}`);
    }
    for (let i = 0; i < opts.runs; i++) {
      const order = WINDOW_KINDS.map((_, j) => WINDOW_KINDS[(i + j) % WINDOW_KINDS.length]!);
      for (const kind of order) {
        const r = await attempt(kind, `${KIND_LETTER[kind]}${i}`);
        runs[kind].push(r);
        log(`window: round ${i + 1}/${opts.runs} ${kind}: ${fmtRun(r)}`);
      }
    }

    // ---- after: the bench's own state undone, then checked ----
    problems.push(...(await doCleanup()));
    const leftSnapshots = await guest.snapshots();
    const ours = leftSnapshots.filter((n) => OURS.test(n));
    if (ours.length > 0) problems.push(`${D} still has the bench's snapshots ${ours.join(', ')}`);
    const newForeign = leftSnapshots.filter((n) => !OURS.test(n) && !foreignSnapshots.has(n));
    if (newForeign.length > 0)
      notes.push(
        `WARNING: snapshots of ${D} appeared during the bench that it did not take (${newForeign.join(', ')}): another session`,
      );
    const finalStatus = await guest.freezeStatus();
    if (finalStatus !== 'thawed') problems.push(`${D} is ${finalStatus} after the bench`);
    const finalTop = await guest.topImage();
    if (finalTop !== baseTop)
      problems.push(`${D}'s disk is now ${finalTop ?? '?'}, was ${baseTop} before the bench`);
    const stray = readdirSync(imageDir).filter((f) => f.includes(`bench-${tag}-`));
    for (const f of stray) {
      problems.push(`overlay ${f} left in ${imageDir}; removed`);
      rmSync(path.join(imageDir, f), { force: true });
    }
    if (problems.length === 0)
      log(`window: ${D} is thawed, has no bench snapshot left, its disk is ${baseTop} again`);

    const numbers = summarizeWindow(runs);
    notes.push(
      ...windowNotes({
        domain: D,
        runs,
        numbers,
        opts,
        clean: problems.length === 0,
        failures,
        dropped,
        onForeignTop,
        baseTop,
        othersOnHost: [...othersOnHost],
      }),
    );
    return {
      guest: D,
      ...numbers,
      delayedLinkRttMs: 2 * opts.delayMsOneWay,
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
