import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
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

function hostPlan(c: readonly (PruneCandidate & { p: string })[], r: Retention, awk = 'awk') {
  const input = c
    .map((x) => [x.created, x.name, x.hour, x.day, x.week, x.month, x.p].join('\t'))
    .join('\n');
  const out = execFileSync(
    'sh',
    [
      '-c',
      `awk() { command ${awk} "$@"; }; . "$1"; prune_plan "$2" "$3" "$4" "$5" "$6"`,
      'sh',
      script,
      ...[r.last, r.hourly, r.daily, r.weekly, r.monthly].map(String),
    ],
    { input: input ? input + '\n' : '' },
  ).toString();
  const keep: { name: string; reasons: string[] }[] = [];
  const del: string[] = [];
  for (const line of out.split('\n').filter(Boolean)) {
    const [verb, name, reasons] = line.split('\t');
    if (verb === 'keep') keep.push({ name: name!, reasons: reasons!.split(',') });
    else del.push(name!);
  }
  return { keep, delete: del };
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
  // 300 runs of the host's script each: seconds of process starts on a loaded machine
  it.each(awks)('on 300 random histories and rules (%s)', { timeout: 120_000 }, (awk) => {
    const rand = rng(42);
    const int = (n: number) => Math.floor(rand() * n);
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
      const ts = prunePlan(c, r, prot);
      const sh = hostPlan(c, r, awk);
      expect(sh, JSON.stringify({ c, r })).toEqual({
        keep: ts.keep.map((k) => ({ name: k.name, reasons: k.reasons })),
        delete: ts.delete.map((d) => d.name),
      });
    }
  });
});
