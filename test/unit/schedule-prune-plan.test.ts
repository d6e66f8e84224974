import { describe, expect, it } from 'vitest';
import { periodsOf, prunePlan, type PruneCandidate } from '../../shared/schedule/prune-plan';
import { RetentionSchema } from '../../shared/schedule/policy';

const utc = { offsetMinutes: 0 };
const snap = (iso: string, name = `s-${iso}`): PruneCandidate => {
  const created = Date.parse(iso) / 1000;
  return { name, created, ...periodsOf(created, utc) };
};
const keep = (r: Partial<Record<string, number>>) => RetentionSchema.parse(r);
const names = (p: ReturnType<typeof prunePlan>) => ({
  keep: p.keep.map((k) => k.name),
  delete: p.delete.map((d) => d.name),
});

describe('prune plan (restic’s keep rules)', () => {
  const four = [
    '2026-12-01T01:00:00Z',
    '2026-12-01T02:00:00Z',
    '2026-12-01T03:00:00Z',
    '2026-12-01T04:00:00Z',
  ].map((t) => snap(t));

  it('keep-last 2 of 4: the two newest stay, the two oldest go, oldest first', () => {
    const p = prunePlan(four, keep({ last: 2 }));
    expect(names(p)).toEqual({
      keep: ['s-2026-12-01T04:00:00Z', 's-2026-12-01T03:00:00Z'],
      delete: ['s-2026-12-01T01:00:00Z', 's-2026-12-01T02:00:00Z'],
    });
    expect(p.keep[0]!.reasons).toEqual(['last']);
  });

  it('no rule set keeps everything', () => {
    const p = prunePlan(four, keep({}));
    expect(p.delete).toEqual([]);
    expect(p.keep.every((k) => k.reasons.includes('no-rule'))).toBe(true);
  });

  it('keep-daily keeps the newest of each of the N latest days that have one', () => {
    const s = [
      snap('2026-11-28T10:00:00Z'),
      snap('2026-11-30T08:00:00Z'),
      snap('2026-11-30T20:00:00Z'),
      snap('2026-12-01T01:00:00Z'),
      snap('2026-12-01T05:00:00Z'),
    ];
    const p = prunePlan(s, keep({ daily: 3 }));
    expect(names(p).keep).toEqual([
      's-2026-12-01T05:00:00Z',
      's-2026-11-30T20:00:00Z',
      's-2026-11-28T10:00:00Z',
    ]);
    expect(names(p).delete).toEqual(['s-2026-11-30T08:00:00Z', 's-2026-12-01T01:00:00Z']);
  });

  it('rules apply each on its own: a snapshot kept by last also counts for daily', () => {
    const s = [
      snap('2026-11-30T08:00:00Z'),
      snap('2026-12-01T01:00:00Z'),
      snap('2026-12-01T05:00:00Z'),
    ];
    const p = prunePlan(s, keep({ last: 1, daily: 1 }));
    expect(p.keep).toEqual([
      { name: 's-2026-12-01T05:00:00Z', created: s[2]!.created, reasons: ['last', 'daily'] },
    ]);
  });

  it('weekly uses ISO weeks and monthly calendar months, in the host’s time zone', () => {
    // Sunday 2026-11-29 23:30 UTC is Monday 00:30 in Paris: another ISO week there
    const t = Date.parse('2026-11-29T23:30:00Z') / 1000;
    expect(periodsOf(t, utc)).toEqual({
      hour: '2026-11-29 23',
      day: '2026-11-29',
      week: '2026-48',
      month: '2026-11',
    });
    expect(periodsOf(t, { name: 'Europe/Paris' })).toEqual({
      hour: '2026-11-30 00',
      day: '2026-11-30',
      week: '2026-49',
      month: '2026-11',
    });
    // 2027-01-01 is a Friday: ISO week 53 of 2026
    expect(periodsOf(Date.parse('2027-01-01T12:00:00Z') / 1000, utc).week).toBe('2026-53');
    const s = [
      snap('2026-10-31T12:00:00Z'),
      snap('2026-11-01T12:00:00Z'),
      snap('2026-11-29T12:00:00Z'),
    ];
    expect(names(prunePlan(s, keep({ monthly: 5 }))).keep).toEqual([
      's-2026-11-29T12:00:00Z',
      's-2026-10-31T12:00:00Z',
    ]);
  });

  it('never deletes the current snapshot or one in use, whatever the rules', () => {
    const p = prunePlan(
      four,
      keep({ last: 1 }),
      new Map([
        ['s-2026-12-01T01:00:00Z', 'current' as const],
        ['s-2026-12-01T02:00:00Z', 'in-use' as const],
      ]),
    );
    expect(names(p)).toEqual({
      keep: ['s-2026-12-01T04:00:00Z', 's-2026-12-01T02:00:00Z', 's-2026-12-01T01:00:00Z'],
      delete: ['s-2026-12-01T03:00:00Z'],
    });
    expect(p.keep.find((k) => k.name === 's-2026-12-01T01:00:00Z')!.reasons).toEqual(['current']);
  });

  it('equal creation times sort by name, the same on every run', () => {
    const a = snap('2026-12-01T01:00:00Z', 'n-a');
    const b = { ...a, name: 'n-b' };
    expect(names(prunePlan([a, b], keep({ last: 1 }))).keep).toEqual(['n-b']);
    expect(names(prunePlan([b, a], keep({ last: 1 }))).keep).toEqual(['n-b']);
  });
});
