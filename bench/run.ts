/**
 * `npm run bench [-- --json]`: the measures that matter (docs/ARCHITECTURE.md, "Measures that
 * matter"), against the lab.
 *
 * Output: a table on stdout, or with --json exactly one JSON object on stdout (the table then
 * goes to stderr); progress always on stderr. Exit 0 whenever it measured, even if a target was
 * missed (it is a benchmark, not a test); 1 with the reason when it could not measure.
 *
 * Steps: bring the lab up (idempotent, so this works from a fresh checkout after `npm install`),
 * load the app's services (services.ts), spy on SSH channels, measure inventory at scale, add
 * three extra agent guests, measure hung agents, remove the extra guests again so the lab is
 * left with exactly its three guests, then measure the blocked-write window of consistent
 * snapshots on the lab's agent guest (with the extra guests gone: a quieter machine), leaving
 * it thawed, writer off, without snapshots.
 */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  GUESTS,
  LIBVIRT_URI,
  LabError,
  ensureExtraAgentGuests,
  labUp,
  removeExtraAgentGuests,
  type LabProfile,
} from '../test/lab/lab.js';
import { benchAgents } from './agents-bench.js';
import { spyOnChannels } from './channel-spy.js';
import { benchInventory } from './inventory-bench.js';
import { watchLabClients } from './lab-clients.js';
import { renderTable, toJson, type BenchResult } from './report.js';
import { loadServices } from './services.js';
import { benchUi } from './ui-bench.js';
import { BenchError, fmtMs, log } from './util.js';
import { benchWindow, cleanupWindowBench } from './window-bench.js';
import { benchExport, exportJson, exportTable, type ExportBenchResult } from './export-bench.js';

const json = process.argv.includes('--json');
/** Three hung at once is the measure; the lab's own agent guest is never one of them. */
const EXTRA_AGENT_GUESTS = 3;
const labLog = (m: string) => log(`lab: ${m}`);

/** Set once the bench may have extra guests on the host: only then is there anything to undo. */
let touchedGuests = false;
let cleanup: Promise<string[]> | undefined;
/** Removes the extra guests (once, however the bench ends) and says what the host has left. */
function removeExtras(): Promise<string[]> {
  if (!touchedGuests) return Promise.resolve([]);
  cleanup ??= (async () => {
    const problems: string[] = [];
    try {
      const removed = await removeExtraAgentGuests({ log: labLog });
      if (removed.length > 0) log(`removed ${removed.join(', ')}`);
    } catch (err) {
      problems.push(`removing the extra agent guests failed: ${(err as Error).message}`);
    }
    try {
      const left = execFileSync('virsh', ['-q', '-c', LIBVIRT_URI, 'list', '--all', '--name'], {
        encoding: 'utf8',
      })
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .sort();
      const expected = GUESTS.map((g) => g.name).sort();
      if (left.join() !== expected.join())
        problems.push(
          `${LIBVIRT_URI} now holds ${left.join(', ')}; expected ${expected.join(', ')}`,
        );
      else log(`${LIBVIRT_URI} holds exactly the lab's ${left.length} guests`);
    } catch (err) {
      problems.push(`virsh list --all failed: ${(err as Error).message}`);
    }
    return problems;
  })();
  return cleanup;
}

/** Takes the lab's bench lock (a file with this pid), or says which bench holds it. */
function takeBenchLock(file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      process.on('exit', () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // gone already
        }
      });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(readFileSync(file, 'utf8').trim());
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = Number.isInteger(holder) && holder > 0;
    } catch {
      alive = false;
    }
    if (alive)
      throw new BenchError(
        `another bench (pid ${holder}) is measuring on this lab (${file}): run one at a time`,
      );
    log(`removing a stale bench lock of pid ${holder}`);
    rmSync(file, { force: true });
  }
  throw new BenchError(`cannot take the bench lock ${file}`);
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const date = new Date().toISOString();
  const loadBefore = os.loadavg()[0] ?? 0;

  let profile: LabProfile;
  try {
    profile = await labUp({ log: labLog });
  } catch (err) {
    throw new BenchError(
      `the lab is not up and could not be brought up: ${(err as Error).message}`,
    );
  }
  // One bench at a time per lab: a second one would remove the first one's extra guests as
  // leftovers, and both would snapshot the same guest.
  takeBenchLock(path.join(profile.labDir, 'run', 'bench.lock'));
  // Extra guests left by an interrupted run may carry its state (a stopped agent, settings):
  // measure on fresh ones.
  touchedGuests = true;
  const leftovers = await removeExtraAgentGuests({ log: labLog });
  if (leftovers.length > 0)
    log(`removed extra guests left by an earlier run: ${leftovers.join(', ')}`);
  const svc = await loadServices();
  const spy = spyOnChannels(svc.Client);
  const watch = watchLabClients(profile.libvirtUri);

  const inventory = await benchInventory(svc, profile, spy, watch, log, {
    refreshes: 7,
    naiveRuns: 3,
    naiveSlowMs: 40_000,
  });

  // The UI on the same 200-domain host; a failure here costs the UI rows, not the bench.
  const uiProblems: string[] = [];
  const ui = await benchUi(svc, profile, log).catch((err: unknown) => {
    uiProblems.push(`the UI could not be measured: ${(err as Error).message}`);
    return undefined;
  });

  let agents;
  try {
    log(`starting ${EXTRA_AGENT_GUESTS} extra agent guests`);
    const guests = await ensureExtraAgentGuests(EXTRA_AGENT_GUESTS, { log: labLog });
    agents = await benchAgents(svc, profile, guests, watch, log, { runs: 3, agentTimeoutS: 3 });
  } finally {
    await removeExtras();
  }
  const problems = [...uiProblems, ...(await removeExtras())];
  spy.restore();

  // ~9 s a round of five kinds: 12 rounds, or the minimum of 10 when the machine was slow so far
  // (the whole bench stays under ~7 minutes).
  const elapsedS = (performance.now() - t0) / 1000;
  const windowResult = await benchWindow(svc, profile, watch, log, {
    runs: elapsedS > 240 ? 10 : 12,
    delayMsOneWay: 100,
    settleMs: 200,
    maxFailures: 4,
    maxDropped: 15,
  });
  problems.push(...windowResult.problems);

  // Consistent image export (bench/export-bench.ts): its own transient guests, removed after.
  let exportResult: ExportBenchResult | undefined;
  try {
    exportResult = await benchExport(svc, profile, log, { runs: 5 });
  } catch (err) {
    problems.push(`the export measures could not be taken: ${(err as Error).message}`);
  }

  const result: BenchResult = {
    inventory,
    agents,
    window: windowResult,
    ui,
    machine: { cores: os.availableParallelism(), date },
    notes: [
      ...inventory.notes,
      ...agents.notes,
      ...windowResult.notes,
      `round trips: counted as SSH session channels opened on the ssh2 connection during a refresh (spy on ssh2 Client), ` +
        `not taken from the app's own roundTrips field; the naive run opened ${inventory.naiveChannelsPerRun} per run`,
      `machine: ${os.cpus()[0]?.model ?? 'cpu'}, load average ${loadBefore.toFixed(2)} at start, ` +
        `${(os.loadavg()[0] ?? 0).toFixed(2)} at end; node ${process.version}; bench took ${fmtMs(performance.now() - t0)}`,
      ...(watch.maxOthers > 0
        ? [
            `WARNING: up to ${watch.maxOthers} other Quiesce session(s) were connected to the lab's ` +
              `${profile.libvirtUri} while the bench measured (a test run?): they probe the same agents ` +
              `and load the machine, so these numbers may be skewed; run the bench on a quiet lab`,
          ]
        : []),
      ...problems.map((p) => `WARNING: ${p}`),
    ],
  };
  for (const p of problems) log(`WARNING: ${p}`);
  const table = renderTable(result) + (exportResult ? exportTable(exportResult) : '');
  if (json) {
    process.stderr.write(table);
    process.stdout.write(
      JSON.stringify({
        ...toJson(result),
        ...(exportResult ? { export: exportJson(exportResult) } : {}),
      }) + '\n',
    );
  } else {
    process.stdout.write(table);
  }
  return 0;
}

// `on`, not `once`: one Ctrl-C or `kill` reaches the bench several times (npm and tsx each relay
// it to their child, besides the process group's own), and tsx exits a child that has no
// listener of its own left — that would cut the clean-up short (a writer left on, guests left).
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: writer off, relay closed, guest thawed, extra agent guests removed, then exit`);
    void (async () => {
      for (const p of await cleanupWindowBench()) log(`WARNING: ${p}`);
      for (const p of await removeExtras()) log(`WARNING: ${p}`);
    })().finally(() => process.exit(130));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // ssh2 keepalive timers and the like must not keep a finished bench alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  async (err: unknown) => {
    const known = err instanceof BenchError || err instanceof LabError;
    log(
      `could not measure: ${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}`,
    );
    for (const p of await cleanupWindowBench()) log(`WARNING: ${p}`);
    const problems = await removeExtras();
    for (const p of problems) log(`WARNING: ${p}`);
    process.exit(1);
  },
);
