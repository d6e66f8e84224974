/**
 * Where one `domains.list` of the lab's 200-domain test-driver host spends its time, step by
 * step: the SSH exec round trip of `true`, the inventory script's own wall time as Node sees it
 * (exec to last byte), each of its captures as the host timed it (capture-lib.sh `ms`), and the
 * Node side (parseGatherOutput + buildInventory). Runs this checkout's inventory script and,
 * interleaved with it, the one of a base commit (`--base REF`, default HEAD), so that a loaded
 * machine skews both alike; and checks both report the same inventory.
 *
 * `npx tsx bench/inventory-steps.ts [--runs N] [--base REF]` (the lab must be up). JSON on
 * stdout, progress on stderr.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleAndRequire } from '../test/support/node-bundle.js';
import { readLabProfile } from '../test/lab/lab.js';
import { connectToLab, log, median } from './util.js';

type Steps = typeof import('./inventory-steps-entry');

const root = path.resolve(import.meta.dirname, '..');
const SCRIPTS = 'electron/services/host-scripts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const runs = Number(arg('runs', '7'));
const base = arg('base', 'HEAD');
const atBase = (file: string) =>
  execFileSync('git', ['show', `${base}:${SCRIPTS}/${file}`], { cwd: root, encoding: 'utf8' });
const here = (file: string) => readFileSync(path.join(root, SCRIPTS, file), 'utf8');
const scripts = {
  base: `${atBase('capture-lib.sh')}\n${atBase('inventory.sh')}`,
  work: `${here('capture-lib.sh')}\n${here('inventory.sh')}`,
};

const s = await bundleAndRequire<Steps>(
  path.join(import.meta.dirname, 'inventory-steps-entry.ts'),
  'quiesce-bench-steps',
);
const profile = readLabProfile();
const conn = await connectToLab(s.connectSsh, profile);
const uri = profile.testDriverUri;

interface Sample {
  execMs: number;
  parseMs: number;
  /** The contract's check of the answer, as the dispatcher does it. */
  validateMs: number;
  caps: Record<string, number | null>;
  judged: string;
}

async function runScript(script: string): Promise<Sample> {
  const t0 = performance.now();
  const r = await conn.exec(s.inventoryCommand(uri), { stdin: script, timeoutMs: 120_000 });
  const execMs = performance.now() - t0;
  if (r.code !== 0) throw new Error(`inventory script: exit ${r.code}: ${r.stderr}`);
  const t1 = performance.now();
  const g = s.parseGatherOutput(r.stdout);
  const built = s.buildInventory(g, uri);
  const parseMs = performance.now() - t1;
  const t2 = performance.now();
  s.contract['domains.list'].output.parse({ ...built, fetchedAt: '', roundTrips: 1, ms: 0 });
  const validateMs = performance.now() - t2;
  const caps: Record<string, number | null> = {};
  for (const [id, c] of g.captures) if (c.ms !== null) caps[id] = c.ms;
  // A virsh session times only itself (capture-lib.sh, cap_session).
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{"k":"session"')) continue;
    const x = JSON.parse(line) as { ids: string; ms: number };
    caps[`session(${x.ids})`] = x.ms;
  }
  return { execMs, parseMs, validateMs, caps, judged: JSON.stringify(built) };
}

async function execTrue(): Promise<number> {
  const t0 = performance.now();
  const r = await conn.exec('true', { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error('true failed');
  return performance.now() - t0;
}

const samples: { base: Sample[]; work: Sample[]; trueMs: number[] } = {
  base: [],
  work: [],
  trueMs: [],
};
try {
  await runScript(scripts.base); // warm-up: caches on both sides
  await runScript(scripts.work);
  for (let i = 0; i < runs; i++) {
    samples.trueMs.push(await execTrue());
    // The order alternates, so neither variant always runs right after the other.
    const order = i % 2 === 0 ? (['base', 'work'] as const) : (['work', 'base'] as const);
    for (const v of order) samples[v].push(await runScript(scripts[v]));
    const b = samples.base.at(-1)!;
    const w = samples.work.at(-1)!;
    log(
      `run ${i + 1}: true ${samples.trueMs.at(-1)!.toFixed(0)} ms; base ${b.execMs.toFixed(0)} ms ` +
        `(${JSON.stringify(b.caps)}); work ${w.execMs.toFixed(0)} ms (${JSON.stringify(w.caps)})`,
    );
    if (b.judged !== w.judged)
      throw new Error(`run ${i + 1}: base and work report different inventories`);
  }
} finally {
  conn.close();
}

const summary = (list: Sample[]) => {
  const ids = [...new Set(list.flatMap((x) => Object.keys(x.caps)))];
  return {
    execMs: Math.round(median(list.map((x) => x.execMs))),
    execRunsMs: list.map((x) => Math.round(x.execMs)),
    parseMs: Math.round(median(list.map((x) => x.parseMs))),
    validateMs: Math.round(median(list.map((x) => x.validateMs))),
    capsMs: Object.fromEntries(ids.map((id) => [id, median(list.map((x) => x.caps[id] ?? 0))])),
  };
};
process.stdout.write(
  JSON.stringify({
    runs,
    base,
    trueExecMs: Math.round(median(samples.trueMs)),
    base_: summary(samples.base),
    work: summary(samples.work),
    sameInventory: true,
  }) + '\n',
);
process.exit(0);
