import { describe, expect, it } from 'vitest';
import {
  hostTimeZone,
  parseRunLine,
  parseScheduleListing,
} from '../../electron/services/schedule/list';
import { parseCandidates } from '../../electron/services/schedule/prune-preview';
import { alertsSince, HostSchedulingSchema } from '../../shared/schedule/results';
import { simulateRetention } from '../../shared/schedule/simulate';
import { RetentionSchema } from '../../shared/schedule/policy';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const uuid = '0b6f3a52-1f0e-4c8e-9a51-2f1d8c3b7e10';
const line = (o: Record<string, unknown>) =>
  JSON.stringify({
    schedule: 'nightly',
    run: 'r1',
    status: 'ok',
    uuid,
    op: '20261201T030000Z-0a1b2c3d',
    snapshot: 'nightly-20261201T030000',
    failedPhase: '',
    error: '',
    pruned: [],
    pruneError: '',
    start: 1764558000,
    end: 1764558010,
    ...o,
  });

describe('what the host says about its schedules', () => {
  it('a results line: free text decoded, an unreadable line dropped', () => {
    const r = parseRunLine(
      line({
        status: 'failed',
        error: b64('agent said "no"\nsecond line'),
        pruned: [b64('nightly-20261130T030000')],
      }),
    );
    expect(r).toMatchObject({
      status: 'failed',
      error: 'agent said "no"\nsecond line',
      pruned: ['nightly-20261130T030000'],
    });
    expect(parseRunLine('{"half":')).toBeUndefined();
    expect(parseRunLine(line({ status: 'exploded' }))).toBeUndefined();
    // the job writes `date +%s`: a run that did not start or end at a whole second is not one
    expect(parseRunLine(line({ end: 1764558010.5 }))).toBeUndefined();
    expect(parseRunLine(line({ start: -1 }))).toBeUndefined();
    // nor one of a schedule whose id could not have been installed (ScheduleIdSchema)
    expect(parseRunLine(line({ schedule: '' }))).toBeUndefined();
    expect(parseRunLine(line({ schedule: 'Nightly run' }))).toBeUndefined();
  });

  it('a seen mark that is no whole number of seconds (a hand edit) reads as never seen, the listing still valid', () => {
    for (const seen of ['1764558005.5', '-3', 'soon', '']) {
      const l = parseScheduleListing(['@@host', 'now=1764561600', `seen=${seen}`].join('\n'));
      expect(l.host.seen, seen).toBe(0);
      expect(HostSchedulingSchema.safeParse(l.host).success, seen).toBe(true);
    }
  });

  it('the listing: host facts, next run in the host’s zone, runs newest first; a broken schedule.json is named', () => {
    const out = [
      '@@host',
      'now=1764561600', // 2025-12-01T04:00:00Z
      'offset=+0100',
      'tz=Europe/Paris',
      'crontab=yes',
      'systemd=no',
      'linger=no',
      'user=backup',
      `hook=${b64('mail -s quiesce root')}`,
      'seen=1764558005',
      '@@schedule nightly',
      'installed=cron',
      'running=no',
      '@@json nightly',
      JSON.stringify({
        id: 'nightly',
        target: { kind: 'domain', uuid },
        when: { kind: 'daily', at: '03:00' },
      }),
      '@@results nightly',
      line({ run: 'r1', end: 1764558001 }),
      line({
        run: 'r2',
        status: 'skipped',
        snapshot: '',
        error: b64('agent not connected'),
        end: 1764558010,
      }),
      '@@schedule broken',
      'installed=none',
      'running=no',
      '@@json broken',
      '{"id":"broken"',
      '@@results broken',
      '',
    ].join('\n');
    const l = parseScheduleListing(out);
    expect(l.host).toMatchObject({
      timeZone: 'Europe/Paris',
      hook: 'mail -s quiesce root',
      seen: 1764558005,
      crontab: true,
      user: 'backup',
    });
    expect(l.schedules).toHaveLength(1);
    // 03:00 in Paris is 02:00 UTC; at 04:00 UTC the next is tomorrow's
    expect(new Date(l.schedules[0]!.nextRun!).toISOString()).toBe('2025-12-02T02:00:00.000Z');
    expect(l.schedules[0]!.runs.map((r) => r.run)).toEqual(['r2', 'r1']);
    expect(l.unreadable.map((u) => u.id)).toEqual(['broken']);
    // only the failure after the seen mark is an alert, with its remedy
    const alerts = alertsSince(l.schedules, l.host.seen);
    expect(alerts.map((a) => a.run.run)).toEqual(['r2']);
    expect(alerts[0]!.remedy).toMatch(/agent/);
    expect(alertsSince(l.schedules, 1764558010)).toEqual([]);
  });

  it('a zone Node does not know falls back to the host’s offset', () => {
    expect(hostTimeZone('Mars/Olympus', '-0230')).toEqual({ offsetMinutes: -150 });
    expect(hostTimeZone('', '+0530')).toEqual({ offsetMinutes: 330 });
    expect(hostTimeZone('UTC', '+0000')).toEqual({ name: 'UTC' });
  });

  it('the candidates the installed job lists, with their protection', () => {
    const out =
      '1764558000\tnightly-20261201T030000\t2026-12-01 04\t2026-12-01\t2026-49\t2026-12\tcurrent\n' +
      '1764471600\tnightly-20261130T030000\t2026-11-30 04\t2026-11-30\t2026-49\t2026-11\t-\n';
    const c = parseCandidates(out);
    expect(c.candidates.map((x) => x.name)).toEqual([
      'nightly-20261201T030000',
      'nightly-20261130T030000',
    ]);
    expect([...c.protectedNames]).toEqual([['nightly-20261201T030000', 'current']]);
  });
});

describe('the editor’s retention preview', () => {
  it('daily runs for 60 days with keep-daily 7 and keep-weekly 4: 7 daily plus the older weeks', () => {
    const s = simulateRetention(
      { kind: 'daily', at: '03:00' },
      RetentionSchema.parse({ daily: 7, weekly: 4 }),
      { offsetMinutes: 0 },
      Date.parse('2026-12-01T12:00:00Z'),
      60,
    );
    expect(s.runs).toBe(60);
    // the 7 newest days, and the newest of 4 ISO weeks (the 2 newest weeks already kept by daily)
    expect(s.kept).toHaveLength(9);
    expect(s.deleted).toBe(51);
    expect(new Date(s.kept[0]!.created * 1000).toISOString()).toBe('2027-01-30T03:00:00.000Z');
  });
  it('no rule: everything stays', () => {
    const s = simulateRetention(
      { kind: 'every-hours', hours: 6, minute: 0 },
      RetentionSchema.parse({}),
      { offsetMinutes: 0 },
      0,
      2,
    );
    expect(s).toMatchObject({ runs: 8, deleted: 0 });
    expect(s.kept).toHaveLength(8);
  });
});

describe('alerts for runs that succeeded', () => {
  const ok = (i: number, windowMs: number | null, extra: Record<string, unknown> = {}) =>
    parseRunLine(
      line({ run: `r${i}`, end: 1000 + i, start: 999 + i, windowMs, watchdog: false, ...extra }),
    )!;
  it('the watchdog thawed the guest: an alert, even though the run succeeded', () => {
    const a = alertsSince([{ runs: [ok(1, 120, { watchdog: true })] }], 0);
    expect(a.map((x) => x.message)).toEqual([expect.stringMatching(/watchdog thawed the guest/)]);
  });
  it('a window far above the domain’s median of earlier runs, and only then', () => {
    const usual = [110, 95, 120, 100, 105].map((w, i) => ok(i, w));
    expect(alertsSince([{ runs: [...usual, ok(9, 300)] }], 0)).toEqual([]); // 3× but < +500 ms
    const slow = alertsSince([{ runs: [...usual, ok(9, 900)] }], 0);
    expect(slow.map((x) => x.run.run)).toEqual(['r9']);
    expect(slow[0]!.message).toMatch(/blocked for 900 ms .* median of 105 ms/);
    // too few earlier windows to say what is usual
    expect(alertsSince([{ runs: [...usual.slice(0, 4), ok(9, 900)] }], 0)).toEqual([]);
    // another domain's windows do not count
    const other = usual.map((r) => ({ ...r, uuid: '11111111-1f0e-4c8e-9a51-2f1d8c3b7e10' }));
    expect(alertsSince([{ runs: [...other, ok(9, 900)] }], 0)).toEqual([]);
    // seen already
    expect(alertsSince([{ runs: [...usual, ok(9, 900)] }], 1009)).toEqual([]);
  });
});
