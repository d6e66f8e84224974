/**
 * Unresponsive agents cost one timeout in parallel, not one each (docs/ARCHITECTURE.md,
 * "Measures that matter"): refresh time of the real qemu:///system host with 1 and with 3 agents hung.
 *
 * An agent is hung from inside its guest: a detached shell stops qemu-ga with SIGSTOP and
 * resumes it with SIGCONT after a fixed hold (a stopped agent cannot run its own resume, so the
 * resume must be scheduled before the stop). The hold is sized from the measured no-hang
 * refresh; every sample is checked against the readiness the app reported (the hung agents
 * "not responding", the others "ready"), so an agent that came back early cannot pass unnoticed.
 * Afterwards the bench always waits until every hung agent answers guest-ping again.
 *
 * Two regimes are measured, because libvirt (9.0) treats them differently: the first refresh
 * after the hang, where each hung agent costs the app's probe timeout (3 s); and the steady
 * state after it (what a UI that keeps refreshing sees), where libvirt first re-syncs each
 * agent that timed out with its own fixed 5 s wait, whatever `--timeout` says. In both, the
 * probes of different domains overlap. hung1Ms/hung3Ms are the steady state. Calls to the same
 * hung agent from another client (a test run on the same lab) queue behind each other, so run
 * the bench on a quiet lab.
 */
import { readFileSync, rmSync } from 'node:fs';
import { guestAgentCommand, guestExec, type LabProfile } from '../test/lab/lab.js';
import { connectLabHost } from '../test/support/lab-session.js';
import type { ClientWatch } from './lab-clients.js';
import type { Services } from './services.js';
import { BenchError, fmtSamples, median, sleep, timed, type Log } from './util.js';

export interface AgentGuest {
  name: string;
  uuid: string;
}

export interface AgentsResult {
  agentGuests: string[];
  hung0Ms: number;
  hung1Ms: number;
  hung3Ms: number;
  ratio: number;
  /** The first refresh after the hang: each hung agent meets the probe timeout once. */
  first: { hung1: number; hung3: number };
  /** Steady state: the refreshes after the first one, while the agents stay hung. */
  samples: { hung0: number[]; hung1: number[]; hung3: number[] };
  notes: string[];
}

export interface AgentsBenchOptions {
  runs: number;
  /** The app's agent probe timeout (createQuiesceService's default: 3 s). */
  agentTimeoutS: number;
}

/** Delay inside the guest between the guest-exec returning and the SIGSTOP (see hang()). */
const STOP_DELAY_MS = 500;

export async function benchAgents(
  svc: Services,
  profile: LabProfile,
  guests: readonly AgentGuest[],
  watch: ClientWatch,
  log: Log,
  opts: AgentsBenchOptions,
): Promise<AgentsResult> {
  if (guests.length < 3) throw new BenchError('the agents bench needs three agent guests');
  const notes: string[] = [];
  const h = svc.serviceHarness({ knownHosts: readFileSync(profile.knownHostsPath, 'utf8') });
  try {
    const hostId = await connectLabHost(h, profile, {
      name: 'bench-agents',
      libvirtUri: profile.libvirtUri,
    });
    // Every agent guest on the host: the lab's own agent guest answers throughout.
    const labAgent = profile.guests.filter((g) => g.role === 'agent');
    const allAgents = [...labAgent.map((g) => ({ name: g.name, uuid: g.uuid })), ...guests];

    /** One refresh, timed, with the level of each agent guest as the app judged it. */
    const refresh = async () => {
      watch.sample(1);
      const r = await timed(() => h.call('domains.list', { hostId }));
      const levels = new Map(
        allAgents.map((g) => [
          g.name,
          r.value.domains.find((d) => d.uuid === g.uuid)?.readiness.level ?? 'missing',
        ]),
      );
      return { ms: r.ms, levels };
    };
    const describe = (levels: Map<string, string>) =>
      [...levels].map(([n, l]) => `${n}=${l}`).join(', ');

    /** Refreshes until every agent guest is ready (they may still settle after a resume). */
    const allReady = async (why: string) => {
      const deadline = performance.now() + 60_000;
      for (;;) {
        const r = await refresh();
        if ([...r.levels.values()].every((l) => l === 'ready')) return;
        if (performance.now() > deadline)
          throw new BenchError(`${why}: agent guests not all ready: ${describe(r.levels)}`);
        await sleep(1000);
      }
    };

    log(`agents: ${allAgents.length} agent guests on ${profile.libvirtUri}; warm-up`);
    await allReady('before measuring');
    const hung0: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const r = await refresh();
      if ([...r.levels.values()].some((l) => l !== 'ready'))
        notes.push(`while none hung: ${describe(r.levels)} (sample kept)`);
      hung0.push(r.ms);
    }
    const hung0Ms = median(hung0);
    log(`agents: no agent hung, ms: ${fmtSamples(hung0)}`);

    /**
     * Hangs `names`, then refreshes: the first refresh after the hang is kept apart (each hung
     * agent meets the app's probe timeout, all in parallel); the next ones are the steady state
     * a polling UI sees while the agents stay hung (libvirt then re-syncs a timed-out agent with
     * its own wait before every command). `estimateMs` is a first guess of one steady refresh,
     * used to size the hold; if the hold is too short for all samples (a slow machine), the
     * agents are waited for and hung again for the rest.
     */
    const measureHung = async (names: readonly string[], estimateMs: number) => {
      const steady: number[] = [];
      let first: number | undefined;
      const firstEstimateMs = opts.agentTimeoutS * 1000 + hung0Ms + 1000;
      for (let round = 1; steady.length < opts.runs; round++) {
        if (round > 3)
          throw new BenchError(`hung agents ${names.join(', ')}: too few valid samples`);
        await allReady(`before hanging ${names.join(', ')}`);
        const remaining = opts.runs - steady.length;
        const holdMs =
          Math.ceil((1500 + firstEstimateMs + remaining * estimateMs * 1.15) / 1000) * 1000;
        // If hang() fails half-way, some agents may be stopped: wait as long as they could be.
        let resumeAt = performance.now() + 30_000 + STOP_DELAY_MS + holdMs;
        try {
          resumeAt = await hang(names, holdMs);
          await sleep(1500 - STOP_DELAY_MS);
          const isHung = (r: Awaited<ReturnType<typeof refresh>>) => {
            const answered = names.filter((n) => r.levels.get(n) !== 'agent-not-responding');
            if (answered.length > 0)
              notes.push(`sample dropped: ${answered.join(', ')} not hung (${describe(r.levels)})`);
            const others = allAgents.filter((g) => !names.includes(g.name));
            if (others.some((g) => r.levels.get(g.name) !== 'ready'))
              notes.push(`while ${names.length} hung: ${describe(r.levels)} (sample kept)`);
            return answered.length === 0;
          };
          const f = await refresh();
          if (!isHung(f)) continue;
          first ??= f.ms;
          while (steady.length < opts.runs && performance.now() + estimateMs * 1.1 < resumeAt) {
            const r = await refresh();
            if (!isHung(r)) break;
            steady.push(r.ms);
            estimateMs = Math.max(estimateMs, r.ms);
          }
        } finally {
          await waitForAgents(names, resumeAt);
        }
      }
      return { first: first ?? Number.NaN, steady };
    };

    /** Schedules stop + resume in each guest; returns when (performance.now()) they resume. */
    const hang = async (names: readonly string[], holdMs: number): Promise<number> => {
      log(`agents: hanging ${names.join(', ')} for ${holdMs / 1000} s`);
      const pid = '$(cat /run/qemu-ga.pid)';
      const script =
        `setsid sh -c 'sleep ${STOP_DELAY_MS / 1000}; kill -STOP ${pid}; ` +
        `sleep ${holdMs / 1000}; kill -CONT ${pid}' </dev/null >/dev/null 2>&1 &`;
      let latest = 0;
      await Promise.all(
        names.map(async (name) => {
          const r = await guestExec(name, '/bin/sh', ['-c', script]);
          if (r.exitcode !== 0)
            throw new BenchError(`cannot hang the agent of ${name}: ${r.stderr || r.stdout}`);
          latest = Math.max(latest, performance.now());
        }),
      );
      return latest + STOP_DELAY_MS + holdMs;
    };

    /** Waits until each agent answers guest-ping again (they resume at `resumeAt`). */
    const waitForAgents = async (names: readonly string[], resumeAt: number) => {
      await sleep(Math.max(0, resumeAt - performance.now()));
      const deadline = performance.now() + 60_000;
      await Promise.all(
        names.map(async (name) => {
          for (;;) {
            try {
              await guestAgentCommand(name, { execute: 'guest-ping' }, { timeoutSec: 2 });
              return;
            } catch (err) {
              if (performance.now() > deadline)
                throw new BenchError(
                  `the agent of ${name} does not answer after its resume: ${(err as Error).message}`,
                );
              await sleep(500);
            }
          }
        }),
      );
      log(`agents: ${names.join(', ')} answer again`);
    };

    // Guesses that size the holds (a wrong guess costs time, not validity): one steady refresh
    // with a hung agent ~ libvirt's 5 s re-sync wait; with three, as long if they overlap.
    const hung1 = await measureHung([guests[0]!.name], hung0Ms + 5500);
    const hung1Ms = median(hung1.steady);
    log(
      `agents: 1 hung, first ${Math.round(hung1.first)} ms, then ms: ${fmtSamples(hung1.steady)}`,
    );
    const three = guests.slice(0, 3).map((g) => g.name);
    const hung3 = await measureHung(three, Math.max(...hung1.steady));
    const hung3Ms = median(hung3.steady);
    log(
      `agents: 3 hung, first ${Math.round(hung3.first)} ms, then ms: ${fmtSamples(hung3.steady)}`,
    );
    await allReady('after measuring');

    notes.push(
      `agents: ${allAgents.length} agent guests (${allAgents.map((g) => g.name).join(', ')}); ` +
        `hung: ${guests[0]!.name}, then ${three.join(' + ')}; the lab's own agent guest is never hung; ` +
        `probe timeout ${opts.agentTimeoutS} s`,
      `agents: ms per run: none hung ${fmtSamples(hung0)}; ` +
        `1 hung: first ${Math.round(hung1.first)}, then ${fmtSamples(hung1.steady)}; ` +
        `3 hung: first ${Math.round(hung3.first)}, then ${fmtSamples(hung3.steady)}`,
      `agents: hung1Ms/hung3Ms are the steady state (refreshes after the first one while the agents stay hung); ` +
        `first-refresh ratio 3/1 hung: ${(hung3.first / hung1.first).toFixed(2)}`,
    );
    return {
      agentGuests: allAgents.map((g) => g.name),
      hung0Ms,
      hung1Ms,
      hung3Ms,
      ratio: hung3Ms / hung1Ms,
      first: { hung1: hung1.first, hung3: hung3.first },
      samples: { hung0, hung1: hung1.steady, hung3: hung3.steady },
      notes,
    };
  } finally {
    h.dispose();
    rmSync(h.dir, { recursive: true, force: true });
  }
}
