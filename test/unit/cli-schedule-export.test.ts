import { describe, expect, it } from 'vitest';
import { CliError } from '../../electron/cli/cli-error';
import { EXIT, exitForAlerts, exitForExport } from '../../electron/cli/exit-codes';
import { exportProgressText, exportPruneText } from '../../electron/cli/export-format';
import { parseCommandLine } from '../../electron/cli/parse-args';
import { parseDays } from '../../electron/cli/schedule-args';
import {
  hostTime,
  hostZone,
  prunePlanText,
  scheduleListingText,
} from '../../electron/cli/schedule-format';
import { usageText } from '../../electron/cli/usage';
import type { ScheduleListingAnswer } from '../../shared/schedule/results';

function refusal(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exit).toBe(EXIT.usage);
    return (err as CliError).message;
  }
  throw new Error(`${argv.join(' ')} parsed but should have been refused`);
}

describe('quiesce schedule …', () => {
  it('adds a schedule for a domain or every ready agent, when and what to keep', () => {
    expect(
      parseCommandLine([
        'schedule',
        'add',
        'lab',
        'nightly',
        'web01',
        '--daily',
        '03:30',
        '--keep-last',
        '7',
        '--keep-weekly',
        '4',
      ]).command,
    ).toEqual({
      name: 'schedule-add',
      host: 'lab',
      id: 'nightly',
      domain: 'web01',
      when: { kind: 'daily', at: '03:30' },
      retention: { last: 7, hourly: 0, daily: 0, weekly: 4, monthly: 0 },
      policy: 'require',
      whenAgentNotReady: 'skip',
      install: 'auto',
    });
    expect(
      parseCommandLine([
        'schedule',
        'add',
        'lab',
        'hourly',
        '--ready-agents',
        '--every-hours',
        '6',
        '--minute',
        '15',
        '--allow-crash-consistent',
        '--if-agent-not-ready',
        'crash-consistent',
        '--max-freeze',
        '20',
        '--install',
        'cron',
      ]).command,
    ).toEqual({
      name: 'schedule-add',
      host: 'lab',
      id: 'hourly',
      when: { kind: 'every-hours', hours: 6, minute: 15 },
      retention: { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0 },
      policy: 'allow-crash-consistent',
      maxFreezeS: 20,
      whenAgentNotReady: 'crash-consistent',
      install: 'cron',
    });
    expect(
      parseCommandLine([
        'schedule',
        'add',
        'lab',
        'weekdays',
        'web01',
        '--weekly',
        'mon-fri',
        '--at',
        '22:00',
      ]).command,
    ).toMatchObject({ when: { kind: 'weekly', days: [1, 2, 3, 4, 5], at: '22:00' } });
  });

  it('reads days as names, numbers and ranges (also across Sunday)', () => {
    expect(parseDays('mon,wed,fri')).toEqual([1, 3, 5]);
    expect(parseDays('0,6')).toEqual([0, 6]);
    expect(parseDays('Saturday-mon')).toEqual([0, 1, 6]);
    expect(parseDays('tue,tue')).toEqual([2]);
    expect(() => parseDays('mo')).toThrow(/not a day/);
    expect(() => parseDays('funday')).toThrow(/not a day/);
  });

  it('refuses a schedule it cannot install, saying why', () => {
    const add = ['schedule', 'add', 'lab', 'nightly'];
    expect(refusal([...add, 'web01', '--ready-agents', '--daily', '03:00'])).toMatch(/not both/);
    expect(refusal([...add, '--daily', '03:00'])).toMatch(
      /Name one DOMAIN, or give --ready-agents/,
    );
    expect(refusal([...add, 'web01'])).toMatch(/Say when the schedule runs/);
    expect(refusal([...add, 'web01', '--daily', '03:00', '--weekly', 'mon'])).toMatch(
      /not several/,
    );
    expect(refusal([...add, 'web01', '--every-hours', '5'])).toMatch(
      /Every 1, 2, 3, 4, 6, 8 or 12/,
    );
    expect(refusal([...add, 'web01', '--daily', '3:00'])).toMatch(/HH:MM/);
    expect(refusal([...add, 'web01', '--daily', '03:00', '--minute', '5'])).toMatch(
      /--minute goes with --every-hours/,
    );
    expect(refusal([...add, 'web01', '--weekly', 'mon'])).toMatch(/--weekly needs --at/);
    expect(refusal([...add, 'web01', '--daily', '03:00', '--keep-last', '-1'])).toMatch(
      /keep-last/,
    );
    expect(refusal([...add, 'web01', '--daily', '03:00', '--install', 'at'])).toMatch(
      /auto, cron or systemd/,
    );
    expect(refusal([...add, 'web01', '--daily', '03:00', '--if-agent-not-ready', 'wait'])).toMatch(
      /if-agent-not-ready/,
    );
    expect(refusal(['schedule', 'add', 'lab', 'Nightly', 'web01', '--daily', '03:00'])).toMatch(
      /lower-case/,
    );
    expect(refusal(['schedule', 'hook', 'lab'])).toMatch(/COMMAND, or --remove/);
    expect(refusal(['schedule', 'hook', 'lab', 'mail x', '--remove'])).toMatch(/not both/);
    expect(refusal(['schedule', 'ls', 'lab', '--daily', '03:00'])).toMatch(/not an option/);
  });

  it('reads the other schedule commands', () => {
    expect(parseCommandLine(['schedule', 'run', 'lab', 'n1', '--prune-only']).command).toEqual({
      name: 'schedule-run',
      host: 'lab',
      id: 'n1',
      pruneOnly: true,
    });
    expect(
      parseCommandLine(['schedule', 'preview-prune', 'lab', 'n1', 'web01', '--keep-daily', '3'])
        .command,
    ).toMatchObject({ domain: 'web01', retention: { daily: 3, last: 0 } });
    expect(
      parseCommandLine(['schedule', 'preview-prune', 'lab', 'n1', 'web01']).command,
    ).not.toHaveProperty('retention');
    expect(parseCommandLine(['schedule', 'hook', 'lab', '--remove']).command).toEqual({
      name: 'schedule-hook',
      host: 'lab',
      command: '',
    });
    expect(parseCommandLine(['schedule', 'ls', 'lab', '--check']).command).toEqual({
      name: 'schedule-ls',
      host: 'lab',
      check: true,
    });
    expect(exitForAlerts({ alerts: [{}] }, true)).toBe(EXIT.failed);
    expect(exitForAlerts({ alerts: [{}] }, false)).toBe(EXIT.ok);
    expect(exitForAlerts({ alerts: [] }, true)).toBe(EXIT.ok);
    expect(parseCommandLine(['schedule', 'seen', 'lab']).command).toEqual({
      name: 'schedule-seen',
      host: 'lab',
    });
  });

  it('shows times in the host’s zone and its alerts with their remedy', () => {
    expect(hostZone({ timeZone: '', offset: '-0330' } as ScheduleListingAnswer['host'])).toEqual({
      offsetMinutes: -210,
    });
    const at = Date.UTC(2026, 11, 1, 2, 0);
    expect(hostTime(at, { name: 'Europe/Paris' })).toBe('2026-12-01 03:00');
    expect(hostTime(at, { offsetMinutes: -210 })).toBe('2026-11-30 22:30');
    const run = {
      schedule: 'n1',
      run: 'r',
      status: 'skipped' as const,
      uuid: 'u',
      op: '',
      snapshot: '',
      failedPhase: 'preflight',
      error: 'agent gone',
      pruned: [],
      pruneError: '',
      start: at / 1000,
      end: at / 1000,
      watchdog: false,
      windowMs: null,
    };
    const listing: ScheduleListingAnswer = {
      host: {
        now: at,
        timeZone: 'Europe/Paris',
        offset: '+0100',
        user: 'admin',
        crontab: true,
        systemdUser: true,
        linger: false,
        hook: 'mail -s quiesce root',
        seen: 0,
      },
      schedules: [
        {
          schedule: {
            id: 'n1',
            target: { kind: 'ready-agents' },
            when: { kind: 'daily', at: '03:30' },
            what: 'snapshot',
            policy: 'require',
            maxFreezeS: 10,
            whenAgentNotReady: 'skip',
            retention: { last: 2, hourly: 0, daily: 0, weekly: 0, monthly: 0 },
          },
          installed: 'systemd-off',
          running: false,
          nextRun: null,
          runs: [run],
        },
      ],
      unreadable: [{ id: 'bad', why: 'schedule.json is not JSON' }],
      alerts: [{ schedule: 'n1', run, message: 'Skipped: the agent…', remedy: 'Start it.' }],
    };
    const text = scheduleListingText(listing);
    expect(text).toContain('lingering OFF');
    expect(text).toContain('times in Europe/Paris');
    expect(text).toMatch(
      /n1 +every ready agent +daily at 03:30 +systemd-off +— +skipped 2026-12-01 03:00/,
    );
    expect(text).toContain('unreadable schedule bad: schedule.json is not JSON');
    expect(text).toContain('failure hook: mail -s quiesce root');
    expect(text).toMatch(
      /1 failure not seen yet:\n {2}n1 2026-12-01 03:00: Skipped: the agent…\n {4}what to do: Start it\./,
    );
  });

  it('a prune preview says what stays (and why) and what goes', () => {
    expect(
      prunePlanText({
        keep: [{ name: 'n1-b', created: 1796100000, reasons: ['last', 'current'] }],
        delete: [{ name: 'n1-a', created: 1796000000 }],
        candidates: [],
      }),
    ).toBe(
      'keep    n1-b  2026-12-01T04:40:00Z  (last, current)\ndelete  n1-a  2026-11-30T00:53:20Z',
    );
  });
});

describe('quiesce export …', () => {
  it('needs --dest, an absolute folder, and real export ids', () => {
    expect(refusal(['export', 'start', 'lab', 'web01'])).toMatch(/needs --dest/);
    expect(refusal(['export', 'start', 'lab', 'web01', '--dest', 'backups'])).toMatch(
      /absolute folder/,
    );
    expect(refusal(['export', 'verify', 'lab', 'web01', 'latest', '--dest', '/b'])).toMatch(
      /not an export id/,
    );
    expect(refusal(['export', 'prune', 'lab', 'web01', '--dest', '/b', '--keep', '0'])).toMatch(
      /1 to 1000/,
    );
    expect(
      parseCommandLine(['export', 'start', 'lab', 'web01', '--dest', '/b', '--full']).command,
    ).toEqual({
      name: 'export-start',
      host: 'lab',
      domain: 'web01',
      dest: '/b',
      full: true,
      allowCrashConsistent: false,
    });
    expect(parseCommandLine(['export', 'ls', 'lab']).command).toEqual({
      name: 'export-ls',
      host: 'lab',
    });
    expect(usageText('export')).toContain('quiesce export start HOST DOMAIN --dest DIR [--full]');
    expect(usageText('export')).toContain('quiesce export ls HOST [DOMAIN] [--dest DIR]');
    expect(parseCommandLine(['export', 'ls', 'lab', 'web01', '--dest', '/b/']).command).toEqual({
      name: 'export-ls',
      host: 'lab',
      domain: 'web01',
      dest: '/b/',
    });
  });

  it('copies an export to a folder here, or with --to-host to an absolute folder there', () => {
    const copy = ['export', 'copy', 'lab', 'web01', '20261201T061500Z-1a2b3c4d', '--dest', '/b'];
    expect(parseCommandLine([...copy, '--to', 'backups']).command).toEqual({
      name: 'export-copy',
      host: 'lab',
      domain: 'web01',
      exportId: '20261201T061500Z-1a2b3c4d',
      dest: '/b',
      to: 'backups',
    });
    expect(
      parseCommandLine([...copy, '--to', '/srv/b', '--to-host', 'kvm2']).command,
    ).toMatchObject({ to: '/srv/b', toHost: 'kvm2' });
    expect(refusal(copy)).toMatch(/needs --to/);
    expect(refusal([...copy, '--to', 'rel', '--to-host', 'kvm2'])).toMatch(/absolute folder/);
  });

  it('an export’s exit code: consistent 0, crash-consistent 3, refused 4, else 1', () => {
    const base = { state: 'succeeded' as const, failedPhase: null };
    expect(exitForExport({ ...base, consistency: { label: 'quiesced', filesystems: 1 } })).toBe(0);
    expect(
      exitForExport({ ...base, consistency: { label: 'crash-consistent', reason: 'no agent' } }),
    ).toBe(3);
    expect(exitForExport({ ...base, consistency: null })).toBe(3);
    const failed = { state: 'failed' as const, consistency: null };
    expect(exitForExport({ ...failed, failedPhase: 'preflight' })).toBe(4);
    expect(exitForExport({ ...failed, failedPhase: 'lock' })).toBe(4);
    expect(exitForExport({ ...failed, failedPhase: 'copy' })).toBe(1);
    expect(exitForExport({ state: 'lost', consistency: null, failedPhase: null })).toBe(1);
  });

  it('progress in whole percents with rate and time left; a dry prune says how to apply', () => {
    expect(
      exportProgressText({
        done: 1.5 * 2 ** 30,
        total: 4 * 2 ** 30,
        rate: 80 * 2 ** 20,
        etaS: 36.4,
        disks: [],
      }),
    ).toBe('copied 1.5 GiB of 4.0 GiB (37 %), 80.0 MiB/s, about 36 s left');
    expect(exportProgressText(null)).toBeNull();
    expect(exportPruneText({ planned: ['a', 'b'], deleted: [], kept: ['c'] }, false)).toBe(
      'Would delete (run with --apply): a, b\nKept: c',
    );
    expect(exportPruneText({ planned: ['a'], deleted: ['a'], kept: [] }, true)).toBe('Deleted: a');
  });
});
