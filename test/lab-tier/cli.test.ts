import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestAgentCommand, guestExec } from '../lab/lab';
import { waitForAgent } from '../support/agent-guest-restore';
import { appWithLabHost, buildCli, runQuiesce, type CliRun } from '../support/cli-process';
import { exportDestination, LAB_USER } from '../support/export-guest';
import { failIfLeftFrozen } from '../support/lab-guard';
import { agentFreezeStatus } from '../support/lab-guest';
import { useAgentGuest } from '../support/lab-fixture';
import { labUserHome } from '../support/lab-operations';
import type { LabProfileShape } from '../support/service-harness';
import { deleteAllSnapshots, labVirsh } from '../support/snapshot-helpers';
import type { ExportSummary } from '../../shared/export';
import type { ScheduleListingAnswer } from '../../shared/schedule/results';

/**
 * Lab tier: every `quiesce` command against the real lab with --json, through the built command
 * (dist/cli/quiesce.mjs) in its own process: the answer on stdout, the phases on stderr while
 * the runner works, the exit code. The host profile is made by the app's own store, its key
 * trusted with `quiesce trust`. Each test starts with no snapshot; the agent guest is brought
 * back to exactly how it was found after the revert (test/support/agent-guest-restore.ts).
 */
let p: LabProfileShape;
let app: Awaited<ReturnType<typeof appWithLabHost>>;
let agent: { name: string; uuid: string };
let noAgent: { name: string; uuid: string };
let noChannel: { name: string; uuid: string };
const found = useAgentGuest();

const q = (...args: string[]): Promise<CliRun> => runQuiesce([...args, '--json'], app);
const snapshotNames = (uuid: string) =>
  labVirsh(p.libvirtUri, 'snapshot-list', '--domain', uuid, '--name', '--topological')
    .trim()
    .split('\n')
    .filter(Boolean);
const markers = async () =>
  (await guestExec(agent.name, '/bin/sh', ['-c', 'cat /data/marker-* 2>/dev/null'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);
const mark = (n: number) =>
  guestExec(agent.name, '/bin/sh', ['-c', `echo marker ${n} > /data/marker-${n}; sync`]);

const labCrontab = (): string => {
  try {
    return execFileSync('crontab', ['-l', '-u', LAB_USER], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    return ''; // no crontab at all
  }
};

/**
 * Waits until the schedule's job has recorded `n` runs (it runs detached on the host) and the
 * listing says so. The job's own results file is watched first, read as root (no process per
 * look); the listing is asked once the file has the runs.
 */
async function waitForRuns(id: string, n: number, timeoutMs = 90_000): Promise<void> {
  const results = join(labUserHome(), '.quiesce', 'schedules', id, 'results.jsonl');
  const recorded = () =>
    existsSync(results) ? readFileSync(results, 'utf8').split('\n').filter(Boolean).length : 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (recorded() >= n) {
      const r = await q('schedule', 'ls', 'lab');
      const listing = r.json?.result as ScheduleListingAnswer | undefined;
      const mine = listing?.schedules.find((x) => x.schedule.id === id);
      if (mine && mine.runs.length >= n && !mine.running) return;
      if (Date.now() > deadline)
        throw new Error(`schedule ${id}: ${n} runs not listed: ${r.stdout}`);
    } else if (Date.now() > deadline)
      throw new Error(`schedule ${id}: ${n} runs not recorded in ${results}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Quiesce's checkpoints on a domain, newest first (each delete merges into its parent). */
function deleteQuiesceCheckpoints(domain: string): void {
  const names = labVirsh(p.libvirtUri, 'checkpoint-list', domain, '--name')
    .split('\n')
    .map((l) => l.trim())
    .filter((c) => c.startsWith('quiesce-'))
    .reverse();
  for (const cp of names) {
    try {
      labVirsh(p.libvirtUri, 'checkpoint-delete', domain, cp);
    } catch {
      /* gone with a parent */
    }
  }
}

const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function cleanSlate(): Promise<void> {
  deleteAllSnapshots(p.libvirtUri, agent.uuid);
  deleteAllSnapshots(p.libvirtUri, noAgent.uuid);
  await guestExec(agent.name, '/bin/sh', ['-c', 'rm -f /data/marker-*; sync']);
}

/** The answer's `result`, after checking the exit code (the whole run shown when it differs). */
function resultOf<T>(r: CliRun, exit: number): T {
  expect(r.exit, `${r.stdout}\n${r.stderr}`).toBe(exit);
  expect(r.json?.exit).toBe(exit);
  return r.json!.result as T;
}

beforeAll(async () => {
  p = found.p;
  const role = (r: string) => p.guests.find((g) => g.role === r)!;
  agent = role('agent');
  noAgent = role('no-agent');
  noChannel = role('no-channel');
  buildCli();
  app = await appWithLabHost(p);
  await cleanSlate();
}, 180_000);
failIfLeftFrozen({ cleanup: cleanSlate });

describe('quiesce against the lab, --json', () => {
  it('hosts, trust, ls: the lab host, its key trusted by fingerprint, each guest’s readiness', async () => {
    const hosts = resultOf<{ id: string; name: string }[]>(await q('hosts'), 0);
    expect(hosts).toEqual([expect.objectContaining({ id: app.host.id, name: 'lab' })]);

    expect((await q('ls', 'lab')).exit).toBe(5); // not trusted yet
    const trusted = resultOf<{ saved: boolean }>(await q('trust', 'lab', p.hostKeyFingerprint), 0);
    expect(trusted.saved).toBe(true);

    const ls = resultOf<{
      domains: { uuid: string; name: string; readiness: { level: string } }[];
    }>(await q('ls', 'lab'), 0);
    const level = (uuid: string) => ls.domains.find((d) => d.uuid === uuid)?.readiness.level;
    expect(level(agent.uuid)).toBe('ready');
    expect(level(noAgent.uuid)).toBe('agent-not-connected');
    expect(level(noChannel.uuid)).toBe('no-channel');
  });

  it('doctor: ready (0) for the agent guest, not ready (4) without an agent', async () => {
    const ready = resultOf<{ uuid: string; readiness: { level: string } }>(
      await q('doctor', 'lab', agent.name),
      0,
    );
    expect(ready).toMatchObject({ uuid: agent.uuid, readiness: { level: 'ready' } });
    const not = resultOf<{ readiness: { level: string } }>(
      await q('doctor', 'lab', noAgent.uuid),
      4,
    );
    expect(not.readiness.level).toBe('agent-not-connected');
  });

  it('snapshot: quiesced (0), the phases on stderr as the runner writes them; history and operations show it', async () => {
    const r = await q(
      'snapshot',
      'lab',
      agent.name,
      '--name',
      'cli-one',
      '--description',
      'by the cli',
    );
    const s = resultOf<{ opId: string; state: string; label: unknown; windowMs: number }>(r, 0);
    expect(s).toMatchObject({ state: 'succeeded', label: { kind: 'quiesced', filesystems: 1 } });
    expect(s.windowMs).toBeGreaterThan(0);
    expect(r.json).toMatchObject({ domain: { uuid: agent.uuid, name: agent.name } });
    expect(snapshotNames(agent.uuid)).toEqual(['cli-one']);

    // The phases, in the runner's order, each on its own line…
    const lines = r.stderr.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const order = ['lock', 'preflight', 'prepare', 'arm', 'freeze', 'cut', 'thaw', 'verify'].map(
      (ph) => at(new RegExp(`^  ${ph} done`)),
    );
    expect(
      order.every((i) => i >= 0),
      r.stderr,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r.stderr).toMatch(/^ {2}thawed: writes were blocked \d+ ms$/m);
    // …streamed while the runner worked, not printed at the end.
    const firstPhase = r.stderrChunks.find((c) => /lock …/.test(c.text));
    expect(firstPhase, r.stderr).toBeDefined();
    expect(r.exitedAt - firstPhase!.at).toBeGreaterThan(100);
    expect(r.stderrChunks.length).toBeGreaterThan(1);

    const history = resultOf<{
      snapshots: { name: string; description: string; label: unknown }[];
    }>(await q('history', 'lab', agent.uuid), 0);
    expect(history.snapshots).toEqual([
      expect.objectContaining({
        name: 'cli-one',
        description: 'by the cli',
        label: { kind: 'quiesced', filesystems: 1 },
      }),
    ]);
    const ops = resultOf<{ opId: string }[]>(await q('operations', 'lab'), 0);
    expect(ops.map((o) => o.opId)).toContain(s.opId);

    // The same name again: the runner fails (its overlay exists), nothing is cut: failed (1).
    const again = await q('snapshot', 'lab', agent.name, '--name', 'cli-one');
    expect(resultOf<{ state: string }>(again, 1).state).toBe('failed');
    expect(snapshotNames(agent.uuid)).toEqual(['cli-one']);
  });

  it('without an agent: refused (4) under require, crash-consistent (3) when allowed; merge folds it away', async () => {
    const refused = resultOf<{ snapshotTaken: boolean; error: { message: string } }>(
      await q('snapshot', 'lab', noAgent.name, '--name', 'cli-refused'),
      4,
    );
    expect(refused.snapshotTaken).toBe(false);
    expect(snapshotNames(noAgent.uuid)).toEqual([]);

    const crash = resultOf<{ label: { kind: string } }>(
      await q('snapshot', 'lab', noAgent.name, '--name', 'cli-crash', '--allow-crash-consistent'),
      3,
    );
    expect(crash.label.kind).toBe('crash-consistent');
    expect(snapshotNames(noAgent.uuid)).toEqual(['cli-crash']);

    const merged = resultOf<{ forgotten: string[] }>(await q('merge', 'lab', noAgent.name), 0);
    expect(merged.forgotten).toEqual(['cli-crash']);
    expect(snapshotNames(noAgent.uuid)).toEqual([]);
    const top = labVirsh(p.libvirtUri, 'domblklist', noAgent.uuid);
    expect(top).toMatch(/vda\s+\S+\/data\.qcow2/);
  });

  it('test-freeze (0) and thaw: a guest left frozen by someone else is thawed', async () => {
    const t = resultOf<{ label: { kind: string } }>(await q('test-freeze', 'lab', agent.name), 0);
    expect(t.label.kind).toBe('test-freeze');
    expect(snapshotNames(agent.uuid)).toEqual([]);

    await guestAgentCommand(agent.name, { execute: 'guest-fsfreeze-freeze' });
    expect(await agentFreezeStatus(agent.name)).toBe('frozen');
    const thawed = resultOf<{ thawed: number }>(await q('thaw', 'lab', agent.name), 0);
    expect(thawed.thawed).toBe(1);
    expect(await agentFreezeStatus(agent.name)).toBe('thawed');
  });

  it('delete (0), and a snapshot that does not exist: not found (8)', async () => {
    resultOf(await q('snapshot', 'lab', agent.name, '--name', 'cli-del'), 0);
    const overlay = `${found.dir}/data.cli-del.qcow2`;
    expect(existsSync(overlay)).toBe(true);
    expect(resultOf(await q('delete', 'lab', agent.name, 'cli-del'), 0)).toEqual({
      deleted: 'cli-del',
    });
    expect(snapshotNames(agent.uuid)).toEqual([]);
    expect(existsSync(overlay)).toBe(false); // libvirt merged it and removed it

    const missing = await q('delete', 'lab', agent.name, 'cli-del');
    expect(missing.exit).toBe(8);
    expect(missing.json?.error?.message).toMatch(/has no snapshot “cli-del”/);
    expect((await q('restore-test', 'lab', agent.name, 'nope')).exit).toBe(8);
  });

  it('restore-test: a clone of the snapshot boots and reads its filesystems (0), then is gone', async () => {
    resultOf(await q('snapshot', 'lab', agent.name, '--name', 'cli-rt'), 0);
    const r = await q('restore-test', 'lab', agent.name, 'cli-rt');
    const result = resultOf<{
      opId: string;
      restorable: boolean;
      cloneGone: boolean;
      clone: string;
      filesystems: { mountpoint: string }[];
    }>(r, 0);
    expect(result).toMatchObject({ restorable: true, cloneGone: true });
    expect(result.filesystems.map((f) => f.mountpoint)).toContain('/data');
    expect(r.stderr).toMatch(/^ {2}boot done/m);
    expect(labVirsh(p.libvirtUri, 'list', '--all', '--name')).not.toContain(result.clone);
    // The host keeps it: the domain's restore tests list it with its snapshot.
    const kept = resultOf<{ results: { opId: string; snapshot: string | null }[] }>(
      await q('restore-tests', 'lab', agent.name),
      0,
    );
    expect(kept.results).toContainEqual(
      expect.objectContaining({ opId: result.opId, snapshot: 'cli-rt' }),
    );
  });

  it('revert preview/start, branches, delete-branch, revert recover', async () => {
    await mark(1);
    resultOf(await q('snapshot', 'lab', agent.name, '--name', 'cli-a'), 0);
    await mark(2);

    const preview = resultOf<{ willStop: boolean; disks: { frozen: string }[] }>(
      await q('revert', 'preview', 'lab', agent.name, 'cli-a'),
      0,
    );
    expect(preview.willStop).toBe(true);
    expect(preview.disks[0]!.frozen).toBe(`${found.dir}/data.qcow2`);
    expect(await markers()).toEqual(['marker 1', 'marker 2']); // a preview does nothing

    const r = await q('revert', 'start', 'lab', agent.name, 'cli-a', '--stop-timeout', '60');
    const reverted = resultOf<{ state: string; outcome: string; opId: string }>(r, 0);
    expect(reverted).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(r.stderr).toMatch(/^ {2}switch done/m);
    await waitForAgent(agent.name);
    expect(await markers()).toEqual(['marker 1']);

    const b = resultOf<{ branches: { id: string; intact: boolean }[]; current: string }>(
      await q('branches', 'lab', agent.name),
      0,
    );
    expect(b.current).toBe('cli-a');
    expect(b.branches).toEqual([expect.objectContaining({ id: reverted.opId, intact: true })]);

    // Nothing to finish or roll back: the recovery settles and ends well.
    const recovered = resultOf<{ state: string; mode: string }>(
      await q('revert', 'recover', 'lab', agent.name),
      0,
    );
    expect(recovered).toMatchObject({ state: 'succeeded', mode: 'recover' });

    expect((await q('delete-branch', 'lab', agent.name, '20000101T000000Z-00000000')).exit).toBe(8);
    const del = resultOf<{ removed: string[]; kept: string[] }>(
      await q('delete-branch', 'lab', agent.name, reverted.opId),
      0,
    );
    expect(del.removed.length + del.kept.length).toBe(1);
    for (const f of del.removed) expect(existsSync(f)).toBe(false);
    await found.restore();
  }, 300_000);

  it('add-agent-channel: the channel goes into the persistent definition only', async () => {
    const before = labVirsh(
      p.libvirtUri,
      'dumpxml',
      noChannel.uuid,
      '--inactive',
      '--security-info',
    );
    try {
      const r = resultOf<{ restartNeeded: boolean }>(
        await q('add-agent-channel', 'lab', noChannel.name),
        0,
      );
      expect(r.restartNeeded).toBe(true);
      expect(labVirsh(p.libvirtUri, 'dumpxml', noChannel.uuid, '--inactive')).toContain(
        'org.qemu.guest_agent.0',
      );
      expect(labVirsh(p.libvirtUri, 'dumpxml', noChannel.uuid)).not.toContain(
        'org.qemu.guest_agent.0',
      );
    } finally {
      // The lab's no-channel guest must stay without one for the other tests.
      const file = join(mkdtempSync(join(tmpdir(), 'quiesce-cli-def-')), 'nochannel.xml');
      writeFileSync(file, before);
      labVirsh(p.libvirtUri, 'define', file);
    }
    expect(labVirsh(p.libvirtUri, 'dumpxml', noChannel.uuid, '--inactive')).not.toContain(
      'org.qemu.guest_agent.0',
    );
  });
  it('schedule add (a crontab line), run twice, ls, preview-prune, hook, a skipped run alerting (ls --check: 1) until seen, remove', async () => {
    const id = 'cli-lab';
    const failing = 'cli-lab-noagent';
    const mark = `# quiesce-schedule:${id}`;
    try {
      const added = resultOf<{ mode: string }>(
        await q('schedule', 'add', 'lab', id, agent.name, '--daily', '03:30', '--keep-last', '1'),
        0,
      );
      expect(added.mode).toBe('cron'); // the lab has no systemd
      expect(labCrontab()).toContain(mark);

      for (const n of [1, 2]) {
        resultOf(await q('schedule', 'run', 'lab', id), 0);
        await waitForRuns(id, n);
      }
      const listing = resultOf<ScheduleListingAnswer>(await q('schedule', 'ls', 'lab'), 0);
      const mine = listing.schedules.find((x) => x.schedule.id === id)!;
      expect(mine).toMatchObject({
        installed: 'cron',
        schedule: { target: { kind: 'domain', uuid: agent.uuid }, retention: { last: 1 } },
      });
      expect(mine.runs.map((r) => r.status)).toEqual(['ok', 'ok']);
      expect(mine.nextRun).toBeGreaterThan(listing.host.now);
      // keep-last 1: the second run pruned the first run's snapshot
      const made = snapshotNames(agent.uuid).filter((n) => n.startsWith(`${id}-`));
      expect(made).toEqual([mine.runs[0]!.snapshot]);

      const plan = resultOf<{ keep: { name: string }[]; delete: unknown[] }>(
        await q('schedule', 'preview-prune', 'lab', id, agent.name),
        0,
      );
      expect(plan.keep.map((k) => k.name)).toEqual(made);
      expect(plan.delete).toEqual([]);

      resultOf(await q('schedule', 'hook', 'lab', 'cat >/dev/null'), 0);
      const hooked = resultOf<ScheduleListingAnswer>(await q('schedule', 'ls', 'lab'), 0);
      expect(hooked.host.hook).toBe('cat >/dev/null');
      resultOf(await q('schedule', 'hook', 'lab', '--remove'), 0);

      // A run on the guest without an agent is skipped: an alert until seen; --check says so.
      resultOf(await q('schedule', 'add', 'lab', failing, noAgent.name, '--daily', '04:00'), 0);
      resultOf(await q('schedule', 'run', 'lab', failing), 0);
      await waitForRuns(failing, 1);
      const alerted = await q('schedule', 'ls', 'lab', '--check');
      const alerts = resultOf<ScheduleListingAnswer>(alerted, 1).alerts;
      expect(alerts).toContainEqual(
        expect.objectContaining({
          schedule: failing,
          run: expect.objectContaining({ status: 'skipped' }),
        }),
      );
      expect(alerted.stdout).toContain('"outcome": "failed"');
      const seen = resultOf<{ seen: number }>(await q('schedule', 'seen', 'lab'), 0);
      const after = resultOf<ScheduleListingAnswer>(await q('schedule', 'ls', 'lab', '--check'), 0);
      expect(after.host).toMatchObject({ hook: '', seen: seen.seen });
      expect(after.alerts).toEqual([]);
      resultOf(await q('schedule', 'remove', 'lab', failing), 0);

      resultOf(await q('schedule', 'remove', 'lab', id), 0);
      expect(labCrontab()).not.toContain(mark);
      expect((await q('schedule', 'remove', 'lab', id)).exit).toBe(8);
    } finally {
      await runQuiesce(['schedule', 'remove', 'lab', id], app);
      await runQuiesce(['schedule', 'remove', 'lab', failing], app);
    }
  }, 180_000);

  it('export start (full, then incremental), space, ls, copy here, verify (0, and 1 once damaged), prune, cancel', async () => {
    const dest = exportDestination('cli');
    try {
      const space = resultOf<{ writable: boolean; freeBytes: number; fullBytes: number }>(
        await q('export', 'space', 'lab', agent.name, '--dest', dest.dir),
        0,
      );
      expect(space.writable).toBe(true);
      expect(space.freeBytes).toBeGreaterThan(space.fullBytes);

      const r = await q('export', 'start', 'lab', agent.name, '--dest', dest.dir, '--full');
      const full = resultOf<ExportSummary>(r, 0);
      expect(full).toMatchObject({
        state: 'succeeded',
        mode: 'full',
        consistency: { label: 'quiesced', filesystems: 1 },
      });
      expect(existsSync(join(full.folder!, 'manifest.json'))).toBe(true);
      expect(r.stderr).toMatch(/^ {2}copy done/m);
      const inc = resultOf<ExportSummary>(
        await q('export', 'start', 'lab', agent.name, '--dest', dest.dir),
        0,
      );
      expect(inc).toMatchObject({ mode: 'incremental', parent: full.opId });

      const ls = resultOf<{ exports: { exportId: string }[] }>(
        await q('export', 'ls', 'lab', agent.name, '--dest', dest.dir),
        0,
      );
      expect(ls.exports.map((e) => e.exportId)).toEqual([inc.opId, full.opId]);
      const verified = resultOf<{ ok: boolean }>(
        await q('export', 'verify', 'lab', agent.name, inc.opId, '--dest', dest.dir),
        0,
      );
      expect(verified.ok).toBe(true);
      // A copy to this computer: the incremental and the full export below it, each complete.
      const here = mkdtempSync(join(tmpdir(), 'quiesce-cli-copy-'));
      try {
        const copied = resultOf<{ copied: string[]; bytes: number }>(
          await q('export', 'copy', 'lab', agent.name, inc.opId, '--dest', dest.dir, '--to', here),
          0,
        );
        expect([...copied.copied].sort()).toEqual([full.opId, inc.opId].sort());
        expect(copied.bytes).toBeGreaterThan(0);
        for (const e of [full, inc]) {
          const local = readdirSync(here, { recursive: true, encoding: 'utf8' }).find((f) =>
            f.endsWith(join(e.opId, 'manifest.json')),
          );
          expect(local, `${e.opId} copied with its manifest`).toBeDefined();
          const manifest = JSON.parse(readFileSync(join(here, local!), 'utf8')) as {
            disks: { file: string; sha256: string }[];
          };
          const image = join(here, dirname(local!), manifest.disks[0]!.file);
          expect(sha256Of(image)).toBe(manifest.disks[0]!.sha256);
        }
      } finally {
        rmSync(here, { recursive: true, force: true });
      }

      // A damaged image no longer verifies: exit 1, the disk's checksum named.
      const image = join(inc.folder!, 'vda.qcow2');
      const fd = openSync(image, 'r+');
      writeSync(fd, Buffer.from('damaged'), 0, 7, statSync(image).size - 7);
      closeSync(fd);
      const damaged = resultOf<{ ok: boolean; disks: { sha256: string }[] }>(
        await q('export', 'verify', 'lab', agent.name, inc.opId, '--dest', dest.dir),
        1,
      );
      expect(damaged).toMatchObject({ ok: false, disks: [{ sha256: 'mismatch' }] });

      const prune = ['export', 'prune', 'lab', agent.name, '--dest', dest.dir];
      expect(resultOf<{ planned: string[] }>(await q(...prune, '--keep', '1'), 0).planned).toEqual(
        [],
      );
      const dry = resultOf<{ planned: string[]; deleted: string[] }>(
        await q(...prune, '--export', full.opId),
        0,
      );
      expect([...dry.planned].sort()).toEqual([full.opId, inc.opId].sort());
      expect(dry.deleted).toEqual([]);
      expect(existsSync(full.folder!)).toBe(true);
      const applied = resultOf<{ deleted: string[] }>(
        await q(...prune, '--export', full.opId, '--apply'),
        0,
      );
      expect([...applied.deleted].sort()).toEqual([full.opId, inc.opId].sort());
      expect(existsSync(full.folder!)).toBe(false);
      expect(existsSync(inc.folder!)).toBe(false);

      expect((await q('export', 'cancel', 'lab', '20000101T000000Z-00000000')).exit).toBe(8);
    } finally {
      deleteQuiesceCheckpoints(agent.name);
      dest.remove();
    }
  }, 240_000);
});
