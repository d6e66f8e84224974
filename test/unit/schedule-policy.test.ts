import { describe, expect, it } from 'vitest';
import { ScheduleSchema, WhenSchema, scheduleSnapshotPattern } from '../../shared/schedule/policy';
import {
  cronFields,
  describeWhen,
  nextRun,
  onCalendar,
  localTime,
} from '../../shared/schedule/next-run';

const uuid = '0b6f3a52-1f0e-4c8e-9a51-2f1d8c3b7e10';

describe('schedule policy schema', () => {
  it('fills the defaults: require, 10 s, skip when the agent is not ready, keep everything', () => {
    const s = ScheduleSchema.parse({
      id: 'nightly',
      target: { kind: 'domain', uuid },
      when: { kind: 'daily', at: '03:00' },
    });
    expect(s).toMatchObject({
      what: 'snapshot',
      policy: 'require',
      maxFreezeS: 10,
      whenAgentNotReady: 'skip',
      retention: { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0 },
    });
  });
  it('refuses ids that could not be part of a snapshot name or a crontab marker', () => {
    for (const id of ['', 'A', '-x', 'a b', 'a;b', 'x'.repeat(33), 'a/b', 'é']) {
      expect(
        ScheduleSchema.safeParse({
          id,
          target: { kind: 'ready-agents' },
          when: { kind: 'daily', at: '03:00' },
        }).success,
        id,
      ).toBe(false);
    }
  });
  it('refuses every-N-hours that does not divide a day, bad clock times and empty weeks', () => {
    expect(WhenSchema.safeParse({ kind: 'every-hours', hours: 5, minute: 0 }).success).toBe(false);
    expect(WhenSchema.safeParse({ kind: 'every-hours', hours: 6, minute: 60 }).success).toBe(false);
    expect(WhenSchema.safeParse({ kind: 'daily', at: '24:00' }).success).toBe(false);
    expect(WhenSchema.safeParse({ kind: 'daily', at: '3:00' }).success).toBe(false);
    expect(WhenSchema.safeParse({ kind: 'weekly', days: [], at: '03:00' }).success).toBe(false);
    expect(WhenSchema.parse({ kind: 'weekly', days: [5, 1, 5], at: '03:00' })).toEqual({
      kind: 'weekly',
      days: [1, 5],
      at: '03:00',
    });
  });
  it('matches only the names its own runs make', () => {
    const p = scheduleSnapshotPattern('nightly');
    expect(p.test('nightly-20261201T030000')).toBe(true);
    expect(p.test('nightly-x-20261201T030000')).toBe(false);
    expect(p.test('before-upgrade')).toBe(false);
    expect(p.test('nightly-20261201T030000.bak')).toBe(false);
  });
});

describe('when a schedule runs, in the host’s time zone', () => {
  const at = (iso: string) => Date.parse(iso);
  it('daily at 03:00 in Paris: 02:00 UTC in winter, 01:00 UTC in summer', () => {
    const when = { kind: 'daily', at: '03:00' } as const;
    const paris = { name: 'Europe/Paris' };
    expect(new Date(nextRun(when, at('2026-12-01T06:00:00Z'), paris)).toISOString()).toBe(
      '2026-12-02T02:00:00.000Z',
    );
    expect(new Date(nextRun(when, at('2026-07-01T00:30:00Z'), paris)).toISOString()).toBe(
      '2026-07-01T01:00:00.000Z',
    );
    // exactly at the time: the next one, not this one
    expect(new Date(nextRun(when, at('2026-07-01T01:00:00Z'), paris)).toISOString()).toBe(
      '2026-07-02T01:00:00.000Z',
    );
  });
  it('every 6 hours at :15 fires at 00:15, 06:15, 12:15, 18:15 local, across midnight', () => {
    const when = { kind: 'every-hours', hours: 6, minute: 15 } as const;
    const tz = { offsetMinutes: 0 };
    let t = at('2026-12-01T17:00:00Z');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      t = nextRun(when, t, tz);
      seen.push(new Date(t).toISOString().slice(11, 16));
    }
    expect(seen).toEqual(['18:15', '00:15', '06:15', '12:15']);
  });
  it('weekly on Mon and Fri at 23:30 with a fixed offset of +05:30', () => {
    const when = WhenSchema.parse({ kind: 'weekly', days: [1, 5], at: '23:30' });
    const tz = { offsetMinutes: 330 };
    // 2026-12-01 is a Tuesday: the next is Friday 2026-12-04 23:30 +05:30 = 18:00 UTC
    const t1 = nextRun(when, at('2026-12-01T06:00:00Z'), tz);
    expect(new Date(t1).toISOString()).toBe('2026-12-04T18:00:00.000Z');
    expect(localTime(t1, tz).weekday).toBe(5);
    const t2 = nextRun(when, t1, tz);
    expect(new Date(t2).toISOString()).toBe('2026-12-07T18:00:00.000Z');
  });
  it('a time the spring change skips runs when the clock shows it after the change', () => {
    // 2026-03-29 02:30 does not exist in Paris (02:00 → 03:00)
    const t = nextRun({ kind: 'daily', at: '02:30' }, at('2026-03-28T12:00:00Z'), {
      name: 'Europe/Paris',
    });
    expect(new Date(t).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });
  it('writes the same times for cron and systemd', () => {
    expect(cronFields({ kind: 'every-hours', hours: 1, minute: 5 })).toBe('5 * * * *');
    expect(cronFields({ kind: 'every-hours', hours: 4, minute: 0 })).toBe('0 */4 * * *');
    expect(cronFields({ kind: 'daily', at: '03:07' })).toBe('7 3 * * *');
    expect(cronFields({ kind: 'weekly', days: [0, 6], at: '23:59' })).toBe('59 23 * * 0,6');
    expect(onCalendar({ kind: 'every-hours', hours: 4, minute: 0 })).toBe('*-*-* 00/4:00:00');
    expect(onCalendar({ kind: 'daily', at: '03:07' })).toBe('*-*-* 03:07:00');
    expect(onCalendar({ kind: 'weekly', days: [0, 6], at: '23:59' })).toBe(
      'Sun,Sat *-*-* 23:59:00',
    );
    expect(describeWhen({ kind: 'weekly', days: [1, 3], at: '04:00' })).toBe('Mon, Wed at 04:00');
  });
});
