import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import removeScript from '../../electron/services/host-scripts/schedule-uninstall.sh?raw';
import listScript from '../../electron/services/host-scripts/schedule-list.sh?raw';
import { installScriptOf, scheduleFiles } from '../../electron/services/schedule/schedule-scripts';
import { parseInstallOutput } from '../../electron/services/schedule/install';
import { parseScheduleListing } from '../../electron/services/schedule/list';
import { ScheduleSchema } from '../../shared/schedule/policy';
import { cronFields, onCalendar } from '../../shared/schedule/next-run';

/**
 * The install and uninstall scripts, run by the local sh against fake crontab, systemctl and
 * loginctl commands (the lab has no systemd): a systemd user manager with lingering gets a timer;
 * without lingering, a crontab line and the way to enable it; uninstall leaves nothing of either.
 */
let dir: string;
let home: string;
let fake: string;
const schedule = ScheduleSchema.parse({
  id: 'nightly',
  target: { kind: 'domain', uuid: '0b6f3a52-1f0e-4c8e-9a51-2f1d8c3b7e10' },
  when: { kind: 'weekly', days: [1, 4], at: '03:30' },
  retention: { last: 3, daily: 7 },
});

function fakeCommands(): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const put = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\nF=${fake}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  put(
    'crontab',
    `case "$1" in
  -l) [ -f "$F/crontab" ] || { echo "no crontab for user" >&2; exit 1; }; cat "$F/crontab" ;;
  -r) rm -f "$F/crontab" ;;
  -) cat >"$F/crontab.new" && mv "$F/crontab.new" "$F/crontab" ;;
esac`,
  );
  put(
    'systemctl',
    `[ -f "$F/systemd" ] || exit 1
echo "$*" >>"$F/systemctl.log"
case "$2" in
  show-environment | daemon-reload) exit 0 ;;
  enable) touch "$F/enabled-$4" ;;
  disable) rm -f "$F/enabled-$4" ;;
  is-enabled) [ -f "$F/enabled-$3" ] ;;
esac`,
  );
  put('loginctl', `echo "Linger=$(cat "$F/linger" 2>/dev/null || echo no)"`);
  put('pgrep', 'exit 1');
  return bin;
}

function sh(args: string[], stdin = '') {
  const bin = join(dir, 'bin');
  const r = spawnSync('sh', args, {
    input: stdin,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const install = (want = 'auto') =>
  sh(
    [
      '-s',
      '--',
      '.quiesce',
      schedule.id,
      want,
      cronFields(schedule.when),
      onCalendar(schedule.when),
    ],
    installScriptOf(scheduleFiles(schedule, 'qemu:///system', 5)),
  );
const uninstall = () => sh(['-c', removeScript, 'sh', '.quiesce', schedule.id]);
const list = () => parseScheduleListing(sh(['-c', listScript, 'sh', '.quiesce']).stdout);
const unitDir = () => join(home, '.config', 'systemd', 'user');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quiesce-schedule-install-'));
  home = join(dir, 'home');
  fake = join(dir, 'state');
  mkdirSync(home, { mode: 0o755 });
  mkdirSync(fake);
  fakeCommands();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('installing a schedule on the host', () => {
  it('a systemd user manager that lingers: a timer at the same times, enabled', () => {
    writeFileSync(join(fake, 'systemd'), '');
    writeFileSync(join(fake, 'linger'), 'yes');
    const r = install();
    expect(r.code, r.stderr).toBe(0);
    expect(parseInstallOutput(r.stdout)).toEqual({ mode: 'systemd', notes: [] });
    const timer = readFileSync(join(unitDir(), 'quiesce-schedule-nightly.timer'), 'utf8');
    expect(timer).toContain('OnCalendar=Mon,Thu *-*-* 03:30:00');
    const service = readFileSync(join(unitDir(), 'quiesce-schedule-nightly.service'), 'utf8');
    expect(service).toContain(`ExecStart=/bin/sh ${home}/.quiesce/schedules/nightly/job.sh run`);
    expect(existsSync(join(fake, 'enabled-quiesce-schedule-nightly.timer'))).toBe(true);
    expect(existsSync(join(fake, 'crontab'))).toBe(false);
    const l = list();
    expect(l.host).toMatchObject({ systemdUser: true, linger: true });
    expect(l.schedules[0]).toMatchObject({ installed: 'systemd', schedule });
    // the job's arguments, as the job reads them
    const args = readFileSync(join(home, '.quiesce/schedules/nightly/args'), 'utf8');
    expect(args).toContain('keepLast=3\n');
    expect(args).toContain('keepDaily=7\n');
    expect(args).toContain('target=0b6f3a52-1f0e-4c8e-9a51-2f1d8c3b7e10\n');

    const u = uninstall();
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain('removed=systemd-timer');
    expect(existsSync(join(fake, 'enabled-quiesce-schedule-nightly.timer'))).toBe(false);
    expect(readdirSync(unitDir())).toEqual([]);
    expect(existsSync(join(home, '.quiesce/schedules'))).toBe(false);
  });

  it('no lingering: a crontab line, and the note says how to enable lingering', () => {
    writeFileSync(join(fake, 'systemd'), '');
    writeFileSync(join(fake, 'crontab'), 'MAILTO=root\n15 1 * * * backup.sh\n');
    const r = install();
    expect(r.code, r.stderr).toBe(0);
    const out = parseInstallOutput(r.stdout);
    expect(out.mode).toBe('cron');
    expect(out.notes.join('\n')).toMatch(/loginctl enable-linger/);
    expect(out.notes.join('\n')).toMatch(/No cron daemon/);
    const tab = readFileSync(join(fake, 'crontab'), 'utf8');
    expect(tab).toBe(
      'MAILTO=root\n15 1 * * * backup.sh\n' +
        `30 3 * * 1,4 /bin/sh ${home}/.quiesce/schedules/nightly/job.sh run >>${home}/.quiesce/schedules/nightly/job.log 2>&1 # quiesce-schedule:nightly\n`,
    );
    // saved again: still one line
    expect(install().code).toBe(0);
    expect(readFileSync(join(fake, 'crontab'), 'utf8').match(/# quiesce-schedule:/g)).toHaveLength(
      1,
    );
    expect(list().schedules[0]!.installed).toBe('cron');
    // asked for a timer without lingering: refused, with the remedy
    const forced = install('systemd');
    expect(forced.code).toBe(69);
    expect(forced.stderr).toMatch(/loginctl enable-linger/);

    const u = uninstall();
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain('removed=crontab-line');
    // the admin's own lines stay, exactly
    expect(readFileSync(join(fake, 'crontab'), 'utf8')).toBe('MAILTO=root\n15 1 * * * backup.sh\n');
  });

  it('a crontab that held only the schedule is removed altogether; another schedule’s line stays', () => {
    const r1 = install();
    expect(r1.code, r1.stderr).toBe(0);
    const other = { ...schedule, id: 'nightly2' };
    const r2 = sh(
      ['-s', '--', '.quiesce', other.id, 'auto', cronFields(other.when), onCalendar(other.when)],
      installScriptOf(scheduleFiles(other, 'qemu:///system', 5)),
    );
    expect(r2.code, r2.stderr).toBe(0);
    expect(list().schedules.map((x) => [x.schedule.id, x.installed])).toEqual([
      ['nightly', 'cron'],
      ['nightly2', 'cron'],
    ]);
    // the admin removed the line by hand: the listing says nothing starts it any more
    const tab = readFileSync(join(fake, 'crontab'), 'utf8');
    writeFileSync(join(fake, 'crontab'), tab.replace(/^.*# quiesce-schedule:nightly\n/m, ''));
    expect(list().schedules.map((x) => [x.schedule.id, x.installed, x.nextRun])).toEqual([
      ['nightly', 'none', null],
      ['nightly2', 'cron', expect.any(Number)],
    ]);
    writeFileSync(join(fake, 'crontab'), tab);
    const u = uninstall();
    expect(u.code, u.stderr + u.stdout).toBe(0);
    expect(readFileSync(join(fake, 'crontab'), 'utf8')).toContain('# quiesce-schedule:nightly2\n');
    expect(readFileSync(join(fake, 'crontab'), 'utf8')).not.toContain(
      '# quiesce-schedule:nightly\n',
    );
    expect(list().schedules.map((x) => [x.schedule.id, x.installed])).toEqual([
      ['nightly2', 'cron'],
    ]);
    expect(sh(['-c', removeScript, 'sh', '.quiesce', 'nightly2']).code).toBe(0);
    expect(existsSync(join(fake, 'crontab'))).toBe(false);
    expect(existsSync(join(home, '.quiesce/schedules'))).toBe(false);
  });

  it('neither a systemd user manager nor crontab: refused, saying what to install', () => {
    rmSync(join(dir, 'bin', 'crontab'));
    // /usr/bin/crontab may exist on this machine: hide it by a PATH without it
    const r2 = spawnSync(
      '/bin/sh',
      [
        '-s',
        '--',
        '.quiesce',
        schedule.id,
        'auto',
        cronFields(schedule.when),
        onCalendar(schedule.when),
      ],
      {
        input: installScriptOf(scheduleFiles(schedule, 'qemu:///system', 5)),
        env: { PATH: join(dir, 'bin') + ':' + onlyBasics(), HOME: home },
        encoding: 'utf8',
      },
    );
    expect(r2.status).toBe(69);
    expect(r2.stderr).toMatch(/install cron/);
  });

  it('a host folder a crontab line cannot carry is refused', () => {
    const r = sh(
      [
        '-s',
        '--',
        'my%dir',
        schedule.id,
        'auto',
        cronFields(schedule.when),
        onCalendar(schedule.when),
      ],
      installScriptOf(scheduleFiles(schedule, 'qemu:///system', 5)),
    );
    expect(r.code).toBe(65);
    expect(existsSync(join(home, 'my%dir'))).toBe(false);
  });

  it('a host folder another account could write to is refused, and nothing is installed', () => {
    mkdirSync(join(home, '.quiesce'));
    chmodSync(join(home, '.quiesce'), 0o775);
    const r = install();
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/writable by no one else \(chmod go-w\)/);
    expect(existsSync(join(home, '.quiesce', 'schedules'))).toBe(false);
    expect(existsSync(join(fake, 'crontab'))).toBe(false);
  });
});

/** A PATH folder with the few tools the scripts need and no crontab. */
function onlyBasics(): string {
  const b = join(dir, 'basics');
  mkdirSync(b, { recursive: true });
  for (const t of ['mkdir', 'ls', 'id', 'cat', 'chmod', 'base64', 'tr', 'rm', 'grep', 'printf']) {
    const found = ['/usr/bin', '/bin'].map((d) => join(d, t)).find((p) => existsSync(p));
    if (found) writeFileSync(join(b, t), `#!/bin/sh\nexec ${found} "$@"\n`, { mode: 0o755 });
  }
  return b;
}
