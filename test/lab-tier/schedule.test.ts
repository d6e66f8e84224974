import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { guestAgentCommand, guestExec } from '../lab/lab';
import { LAB_USER } from '../lab/config';
import { labVirsh } from '../support/snapshot-helpers';
import { labUserHome } from '../support/lab-operations';
import { waitForAgent } from '../support/agent-guest-restore';
import { useAgentGuest } from '../support/lab-fixture';
import { readJournalLines } from '../../electron/services/snapshot/journal-line';
import { parseRunLine } from '../../electron/services/schedule/list';
import type { ScheduleRun } from '../../shared/schedule/results';

/**
 * Lab tier: a schedule installed by the app runs on the host with the app disconnected. The lab
 * has no systemd, so it is a crontab line; the test runs that line's command as cron would (the
 * lab user, cron's bare environment) rather than waiting for the minute. Four runs with
 * keep-last 2, markers written before each; the prune preview against the real prune; a run
 * with the agent stopped (an alert on connect, the host hook run); the uninstall leaving nothing.
 */
const ag = useAgentGuest({ session: true });
const ID = 'labkeep';
const home = labUserHome();
const hostDir = join(home, '.quiesce');
const sdir = join(hostDir, 'schedules', ID);
const hookOut = join(home, 'quiesce-schedule-hook.json');
const MARK = `# quiesce-schedule:${ID}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The clock's second as a schedule's snapshot names it: YYYYMMDDHHMMSS. */
const utcSecond = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const crontab = (): string => {
  try {
    return execFileSync('crontab', ['-l', '-u', LAB_USER], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    return ''; // no crontab at all
  }
};
/** The command of the schedule's crontab line, run as cron runs it: the user, a bare environment. */
function fireCronLine(): void {
  const line = crontab()
    .split('\n')
    .find((l) => l.endsWith(MARK));
  if (!line) throw new Error(`no crontab line for ${ID}:\n${crontab()}`);
  const command = line.split(/\s+/).slice(5).join(' ');
  execFileSync(
    'runuser',
    [
      '-u',
      LAB_USER,
      '--',
      'env',
      '-i',
      `HOME=${home}`,
      `LOGNAME=${LAB_USER}`,
      'PATH=/usr/bin:/bin',
      'SHELL=/bin/sh',
      '/bin/sh',
      '-c',
      command,
    ],
    { stdio: 'pipe', timeout: 300_000 },
  );
}
const runs = (): ScheduleRun[] =>
  existsSync(join(sdir, 'results.jsonl'))
    ? readFileSync(join(sdir, 'results.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => parseRunLine(l)!)
    : [];
const scheduleSnapshots = () =>
  labVirsh(ag.p.libvirtUri, 'snapshot-list', '--domain', ag.uuid, '--name', '--topological')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.startsWith(`${ID}-`));
const markers = async () =>
  (await guestExec(ag.name, '/bin/sh', ['-c', 'cat /data/marker-* 2>/dev/null'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);

/**
 * The markers a snapshot's image holds: the snapshot's own images are the backing files of the
 * overlays it started (`<disks>` of its XML); read as raw ext4 with debugfs, no mount.
 */
function markersInSnapshot(name: string): string[] {
  const xml = labVirsh(
    ag.p.libvirtUri,
    'snapshot-dumpxml',
    '--domain',
    ag.uuid,
    '--snapshotname',
    name,
  );
  const disks = xml.slice(xml.indexOf('<disks>'), xml.indexOf('</disks>'));
  const overlay = /<source file='([^']+)'/.exec(disks)![1]!;
  const info = JSON.parse(
    execFileSync('qemu-img', ['info', '-U', '--output=json', overlay], { encoding: 'utf8' }),
  ) as { 'full-backing-filename'?: string; 'backing-filename'?: string };
  const frozen = info['full-backing-filename'] ?? info['backing-filename']!;
  const raw = join(tmpdir(), `quiesce-schedule-${process.pid}.raw`);
  try {
    execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', frozen, raw]);
    const ls = execFileSync('debugfs', ['-R', 'ls -l /', raw], { encoding: 'utf8', stdio: 'pipe' });
    const names = [...ls.matchAll(/(marker-\d+)\s*$/gm)].map((m) => m[1]!).sort();
    return names.map((n) =>
      execFileSync('debugfs', ['-R', `cat /${n}`, raw], { encoding: 'utf8', stdio: 'pipe' }).trim(),
    );
  } finally {
    rmSync(raw, { force: true });
  }
}

/** Every layer of the running guest's chain exists and qemu-img finds no error in it. */
function chainIntact(): string[] {
  const top = labVirsh(ag.p.libvirtUri, 'domblklist', ag.uuid, '--details')
    .split('\n')
    .map((l) => /^\s*file\s+disk\s+vda\s+(.+)$/.exec(l)?.[1]?.trim())
    .find(Boolean)!;
  const chain = JSON.parse(
    execFileSync('qemu-img', ['info', '-U', '--backing-chain', '--output=json', top], {
      encoding: 'utf8',
    }),
  ) as { filename: string }[];
  for (const l of chain) expect(existsSync(l.filename), l.filename).toBe(true);
  execFileSync('qemu-img', ['check', '-U', top], { stdio: 'pipe' }); // throws on a broken image
  return chain.map((l) => l.filename);
}

beforeAll(async () => {
  // what an earlier, interrupted run of this file may have left
  await ag.h.call('schedule.setHook', { hostId: ag.hostId, command: '' });
  await ag.h.call('schedule.remove', { hostId: ag.hostId, id: ID });
  rmSync(hookOut, { force: true });
}, 60_000);
afterAll(async () => {
  const { h, hostId } = ag;
  await h.call('hosts.connect', { hostId }).catch(() => undefined);
  await h.call('schedule.setHook', { hostId, command: '' }).catch(() => undefined);
  await h.call('schedule.remove', { hostId, id: ID }).catch(() => undefined);
  rmSync(hookOut, { force: true });
}, 120_000);

describe('schedules run on the host without the app', () => {
  it('installs a crontab line (no systemd here), runs 4 times disconnected, keeps the last 2 with every marker', async () => {
    const { h, hostId, uuid, name: agent } = ag;
    // a time that does not come during the test (and the lab runs no cron daemon anyway)
    const at = new Date(Date.now() + 12 * 3600_000).toISOString().slice(11, 16);
    const saved = await h.call('schedule.save', {
      hostId,
      schedule: {
        id: ID,
        target: { kind: 'domain', uuid },
        when: { kind: 'daily', at },
        retention: { last: 2 },
      },
    });
    expect(saved.mode).toBe('cron');
    expect(crontab()).toContain(`/bin/sh ${sdir}/job.sh run >>${sdir}/job.log 2>&1 ${MARK}`);
    const listed = await h.call('schedule.list', { hostId });
    expect(listed.host).toMatchObject({ crontab: true, systemdUser: false, user: LAB_USER });
    const mine = listed.schedules.find((s) => s.schedule.id === ID)!;
    expect(mine.installed).toBe('cron');
    expect(new Date(mine.nextRun!).toISOString().slice(11, 16)).toBe(at); // the lab runs in UTC

    await h.call('hosts.disconnect', { hostId });
    const made: string[] = [];
    for (let i = 1; i <= 4; i++) {
      await guestExec(agent, '/bin/sh', ['-c', `echo marker ${i} > /data/marker-${i}; sync`]);
      fireCronLine();
      const last = runs().at(-1)!;
      expect(last, JSON.stringify(last)).toMatchObject({ status: 'ok', uuid });
      // the blocked-write window, as the journal measured it; the watchdog never fired
      expect(last.watchdog).toBe(false);
      expect(last.windowMs).toBeGreaterThan(0);
      expect(last.windowMs).toBeLessThan(10_000);
      made.push(last.snapshot);
      // names are to the second (UTC, as the lab runs): the next run starts in a later one
      const named = last.snapshot.replace(/\D/g, '').slice(-14);
      const latest = Date.now() + 1100;
      while (Date.now() < latest && utcSecond() <= named) await sleep(50);
    }
    // keep-last 2 over 4 runs leaves 2: the last two made
    expect(scheduleSnapshots()).toEqual(made.slice(2));
    expect(
      runs()
        .slice(-4)
        .flatMap((r) => r.pruned),
    ).toEqual(made.slice(0, 2));

    // the host's journal: the same runner's operations, each quiesced, and history.jsonl
    const ops = runs()
      .slice(-4)
      .map((r) => r.op);
    for (const op of ops) {
      const lines = readJournalLines(
        readFileSync(join(hostDir, 'ops', op, 'journal.jsonl'), 'utf8'),
      );
      expect(
        lines.find((l) => l.ev === 'result'),
        op,
      ).toMatchObject({ ok: true, label: 'quiesced' });
      expect(lines.some((l) => l.ev === 'thawed')).toBe(true);
      expect(readFileSync(join(hostDir, 'ops', op, 'args'), 'utf8')).toContain(
        `workstation=schedule ${ID}`,
      );
    }
    const hist = readFileSync(join(hostDir, 'history.jsonl'), 'utf8');
    for (const op of ops) expect(hist).toContain(`"op":"${op}"`);

    // the chain intact, every marker readable: live, and in each kept snapshot as of its run
    chainIntact();
    expect(await markers()).toEqual(['marker 1', 'marker 2', 'marker 3', 'marker 4']);
    expect(markersInSnapshot(made[2]!)).toEqual(['marker 1', 'marker 2', 'marker 3']);
    expect(markersInSnapshot(made[3]!)).toEqual(['marker 1', 'marker 2', 'marker 3', 'marker 4']);

    // the app connects: the history has them, made by Quiesce, quiesced; the runs are listed
    await h.call('hosts.connect', { hostId });
    const history = await h.call('history.list', { hostId, uuid });
    for (const name of made.slice(2)) {
      expect(
        history.snapshots.find((s) => s.name === name),
        name,
      ).toMatchObject({
        madeByQuiesce: true,
        label: { kind: 'quiesced' },
      });
    }
    for (const name of made.slice(0, 2))
      expect(history.snapshots.some((s) => s.name === name)).toBe(false);
    for (const op of ops)
      expect(
        history.operations.find((o) => o.opId === op),
        op,
      ).toMatchObject({ state: 'succeeded' });
    const after = (await h.call('schedule.list', { hostId })).schedules.find(
      (s) => s.schedule.id === ID,
    )!;
    expect(after.runs.slice(0, 4).map((r) => r.snapshot)).toEqual([...made].reverse());
  }, 600_000);

  it('the prune preview says exactly what the host’s prune then deletes and keeps', async () => {
    const { h, hostId, uuid, name: agent } = ag;
    // a third snapshot, so keep-last 1 has two to delete, both older than the current one
    await guestExec(agent, '/bin/sh', ['-c', 'echo marker 5 > /data/marker-5; sync']);
    await h.call('hosts.disconnect', { hostId });
    fireCronLine();
    await h.call('hosts.connect', { hostId });
    const before = scheduleSnapshots();
    expect(before).toHaveLength(2);
    // a snapshot held by a restore or an export (HOSTDIR/holds) is kept whatever the rules say
    execFileSync('runuser', [
      '-u',
      LAB_USER,
      '--',
      'sh',
      '-c',
      `mkdir -p "$1/holds" && echo "$2 $3" >"$1/holds/test"`,
      'sh',
      hostDir,
      uuid,
      before[0]!,
    ]);
    const preview = await h.call('schedule.previewPrune', {
      hostId,
      id: ID,
      uuid,
      retention: { last: 1, hourly: 0, daily: 0, weekly: 0, monthly: 0 },
    });
    expect(preview.keep.find((k) => k.name === before[0])!.reasons).toEqual(['held']);
    expect(preview.keep.find((k) => k.name === before[1])!.reasons).toEqual(['last', 'current']);
    rmSync(join(hostDir, 'holds'), { recursive: true, force: true });
    const preview2 = await h.call('schedule.previewPrune', {
      hostId,
      id: ID,
      uuid,
      retention: { last: 1, hourly: 0, daily: 0, weekly: 0, monthly: 0 },
    });
    expect(preview2.delete.map((d) => d.name)).toEqual([before[0]]);
    // the same rules saved, and only the prune run on the host
    const s = (await h.call('schedule.list', { hostId })).schedules.find(
      (x) => x.schedule.id === ID,
    )!;
    await h.call('schedule.save', {
      hostId,
      schedule: { ...s.schedule, retention: { ...s.schedule.retention, last: 1 } },
    });
    const n = runs().length;
    await h.call('schedule.runNow', { hostId, id: ID, mode: 'prune' });
    for (let i = 0; i < 600 && runs().length === n; i++) await sleep(100);
    expect(runs().at(-1)).toMatchObject({
      status: 'ok',
      pruned: preview2.delete.map((d) => d.name),
    });
    expect(scheduleSnapshots()).toEqual(preview2.keep.map((k) => k.name));
    chainIntact();
    expect(markersInSnapshot(before[1]!)).toEqual([
      'marker 1',
      'marker 2',
      'marker 3',
      'marker 4',
      'marker 5',
    ]);
  }, 300_000);

  it('a run with the agent stopped: no snapshot, an alert on connect with its remedy, the host hook run', async () => {
    const { h, hostId, uuid, name: agent } = ag;
    await h.call('schedule.setHook', { hostId, command: `cat >${hookOut}` });
    const before = scheduleSnapshots();
    await guestExec(agent, '/bin/sh', [
      '-c',
      '(sleep 1; kill $(cat /run/qemu-ga.pid)) >/dev/null 2>&1 </dev/null &',
    ]);
    for (let i = 0; i < 100; i++) {
      const up = await guestAgentCommand(agent, { execute: 'guest-ping' }).then(
        () => true,
        () => false,
      );
      if (!up) break;
      await sleep(300);
    }
    await h.call('hosts.disconnect', { hostId });
    fireCronLine();
    const failed = runs().at(-1)!;
    expect(failed).toMatchObject({
      status: 'skipped',
      uuid,
      snapshot: '',
      failedPhase: 'preflight',
    });
    expect(failed.error).toMatch(/agent/);
    expect(scheduleSnapshots()).toEqual(before);
    const hook = JSON.parse(readFileSync(hookOut, 'utf8')) as Record<string, unknown>;
    expect(hook).toMatchObject({
      event: 'quiesce-schedule-failed',
      schedule: ID,
      status: 'skipped',
      domain: { uuid, name: agent },
    });
    expect(String(hook.error)).toMatch(/agent/);

    await h.call('hosts.connect', { hostId });
    const listed = await h.call('schedule.list', { hostId });
    const alert = listed.alerts.find((a) => a.run.run === failed.run)!;
    expect(alert.message).toMatch(/Skipped: the guest agent did not answer/);
    expect(alert.remedy).toMatch(/Start the guest agent/);
    await h.call('schedule.markSeen', { hostId, upTo: failed.end });
    expect((await h.call('schedule.list', { hostId })).alerts).toEqual([]);

    // the same schedule told to go crash-consistent when the agent is not ready: a snapshot,
    // labelled so, with the reason
    const s = (await h.call('schedule.list', { hostId })).schedules.find(
      (x) => x.schedule.id === ID,
    )!;
    await h.call('schedule.save', {
      hostId,
      schedule: { ...s.schedule, whenAgentNotReady: 'crash-consistent' },
    });
    fireCronLine();
    const crash = runs().at(-1)!;
    expect(crash, JSON.stringify(crash)).toMatchObject({ status: 'ok', uuid });
    const result = readJournalLines(
      readFileSync(join(hostDir, 'ops', crash.op, 'journal.jsonl'), 'utf8'),
    ).find((l) => l.ev === 'result');
    expect(result).toMatchObject({ ok: true, label: 'crash-consistent' });
    expect(scheduleSnapshots()).toContain(crash.snapshot);
    // the agent back, for what follows: only a boot brings a killed agent back, so the guest is
    // powered off first and the restore boots it (it would otherwise first wait 5 s for an agent
    // that cannot answer, test/support/agent-guest-restore.ts)
    labVirsh(ag.p.libvirtUri, 'destroy', uuid);
    await ag.restore();
    await waitForAgent(agent);
  }, 300_000);

  it('“all domains with a ready agent”: only the guest whose agent answers gets a snapshot', async () => {
    const { p, h, hostId, uuid } = ag;
    const GROUP = 'labgroup';
    await h.call('schedule.save', {
      hostId,
      schedule: {
        id: GROUP,
        target: { kind: 'ready-agents' },
        when: { kind: 'every-hours', hours: 12, minute: 7 },
      },
    });
    try {
      await h.call('schedule.runNow', { hostId, id: GROUP });
      const file = join(hostDir, 'schedules', GROUP, 'results.jsonl');
      for (let i = 0; i < 600 && !existsSync(file); i++) await sleep(100);
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => parseRunLine(l)!);
      // the lab's other guests (no agent running, no channel) are not part of the group
      expect(lines.map((l) => [l.uuid, l.status])).toEqual([[uuid, 'ok']]);
      const names = labVirsh(p.libvirtUri, 'snapshot-list', '--domain', uuid, '--name')
        .split('\n')
        .map((x) => x.trim());
      expect(names).toContain(lines[0]!.snapshot);
      expect(lines[0]!.snapshot).toMatch(/^labgroup-\d{8}T\d{6}$/);
    } finally {
      await h.call('schedule.remove', { hostId, id: GROUP });
      await ag.restore();
    }
  }, 300_000);

  it('uninstall leaves no crontab line, no timer and no script', async () => {
    const { h, hostId } = ag;
    await h.call('schedule.setHook', { hostId, command: '' });
    const r = await h.call('schedule.remove', { hostId, id: ID });
    expect(r.removed).toEqual(expect.arrayContaining(['crontab-line', 'folder']));
    expect(crontab()).not.toContain('quiesce-schedule');
    expect(existsSync(join(hostDir, 'schedules'))).toBe(false);
    const units = join(home, '.config', 'systemd', 'user');
    expect(
      existsSync(units) ? readdirSync(units).filter((f) => f.includes('quiesce')) : [],
    ).toEqual([]);
    expect((await h.call('schedule.list', { hostId })).schedules).toEqual([]);
  }, 120_000);
});
