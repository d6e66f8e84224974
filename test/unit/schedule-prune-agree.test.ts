import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  periodsOf,
  prunePlan,
  type PruneCandidate,
  type Protection,
} from '../../shared/schedule/prune-plan';
import type { Retention } from '../../shared/schedule/policy';

/**
 * The app's preview (shared/schedule/prune-plan.ts) and the host's prune
 * (host-scripts/schedule-prune-plan.sh, run here by the local sh and awk) must answer alike:
 * random histories and rules, the same plan from both.
 */
const script = fileURLToPath(
  new URL('../../electron/services/host-scripts/schedule-prune-plan.sh', import.meta.url),
);

type Round = { c: readonly (PruneCandidate & { p: string })[]; r: Retention };
type Plan = { keep: { name: string; reasons: string[] }[]; delete: string[] };

/**
 * The host's plan of each round: one shell runs prune_plan on every round's input in turn (one
 * process start from here for all of them, not one a round: those starts were most of this
 * file's time). Each round's output follows a line of its own, so that each is read apart.
 */
function hostPlans(rounds: readonly Round[], awk = 'awk'): Plan[] {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-prune-agree-'));
  try {
    const list: string[] = [];
    rounds.forEach(({ c, r }, i) => {
      const input = c
        .map((x) => [x.created, x.name, x.hour, x.day, x.week, x.month, x.p].join('\t'))
        .join('\n');
      writeFileSync(join(dir, `${i}.tsv`), input ? input + '\n' : '');
      list.push([i, r.last, r.hourly, r.daily, r.weekly, r.monthly].join(' '));
    });
    writeFileSync(join(dir, 'rounds'), list.join('\n') + '\n');
    const out = execFileSync(
      'sh',
      [
        '-c',
        `awk() { command ${awk} "$@"; }; . "$1"
while read -r i l h d w m; do
  echo "round $i"
  prune_plan "$l" "$h" "$d" "$w" "$m" <"$2/$i.tsv"
done <"$2/rounds"`,
        'sh',
        script,
        dir,
      ],
      { maxBuffer: 64 << 20 },
    ).toString();
    const plans: Plan[] = [];
    for (const line of out.split('\n').filter(Boolean)) {
      const [verb, name, reasons] = line.split('\t');
      if (verb!.startsWith('round ')) {
        expect(verb, 'the rounds in order').toBe(`round ${plans.length}`);
        plans.push({ keep: [], delete: [] });
      } else if (verb === 'keep')
        plans.at(-1)!.keep.push({ name: name!, reasons: reasons!.split(',') });
      else plans.at(-1)!.delete.push(name!);
    }
    expect(plans, 'a plan for every round').toHaveLength(rounds.length);
    return plans;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('the prune preview and the host’s prune agree', () => {
  const awks = [
    'awk',
    ...['mawk', 'gawk', 'busybox awk'].filter((a) => {
      try {
        execFileSync('sh', ['-c', `command -v ${a.split(' ')[0]}`]);
        return true;
      } catch {
        return false;
      }
    }),
  ];
  // 300 rounds of the host's script each (a sort and an awk a round): seconds on a loaded machine
  it.each(awks)('on 300 random histories and rules (%s)', { timeout: 120_000 }, (awk) => {
    const rand = rng(42);
    const int = (n: number) => Math.floor(rand() * n);
    const rounds: (Round & { prot: Map<string, Protection> })[] = [];
    for (let round = 0; round < 300; round++) {
      const n = int(15);
      const base = Date.parse('2026-01-01T00:00:00Z') / 1000;
      const tz = round % 2 ? { name: 'Europe/Paris' } : { offsetMinutes: -300 };
      const times: number[] = [];
      const c = Array.from({ length: n }, (_, i) => {
        // a third of them at the same second as an earlier one, to test the tie-break
        const created =
          times.length > 0 && int(3) === 0
            ? times[int(times.length)]!
            : base + int(4) * 3600 * 24 * 30 + int(30 * 24) * 3600 + int(3600);
        times.push(created);
        const p = ['-', '-', '-', '-', 'current', 'in-use', 'held'][int(7)]!;
        return { name: `sch-${String(i).padStart(2, '0')}`, created, ...periodsOf(created, tz), p };
      });
      const r: Retention = {
        last: int(4),
        hourly: int(3),
        daily: int(4),
        weekly: int(3),
        monthly: int(3),
      };
      if (round % 10 === 0)
        Object.assign(r, { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0 });
      const prot = new Map(c.filter((x) => x.p !== '-').map((x) => [x.name, x.p as Protection]));
      rounds.push({ c, r, prot });
    }
    const sh = hostPlans(rounds, awk);
    rounds.forEach(({ c, r, prot }, round) => {
      const ts = prunePlan(c, r, prot);
      expect(sh[round], JSON.stringify({ round, c, r })).toEqual({
        keep: ts.keep.map((k) => ({ name: k.name, reasons: k.reasons })),
        delete: ts.delete.map((d) => d.name),
      });
    });
  });
});
