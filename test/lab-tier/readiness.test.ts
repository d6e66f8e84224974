import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestAgentCommand, guestExec } from '../lab/lab';
import { deleteAllSnapshots, waitForEnd } from '../support/snapshot-helpers';
import { pollUntil, useLabSession } from '../support/lab-fixture';
import { failIfLeftFrozen } from '../support/lab-guard';

/**
 * Lab tier: readiness, the doctor and the stuck-frozen rescue against the real guests, the real
 * agent and real libvirt events.
 */
const lab = useLabSession();
const guest = (role: string) => lab.p.guests.find((g) => g.role === role)!;
const virsh = (...args: string[]) =>
  execFileSync('virsh', ['-c', lab.p.libvirtUri, ...args], { encoding: 'utf8', stdio: 'pipe' });
const fsfreezeStatus = async () =>
  guestAgentCommand(guest('agent').name, { execute: 'guest-fsfreeze-status' });

async function levelOf(uuid: string) {
  const inv = await lab.h.call('domains.list', { hostId: lab.hostId });
  return { level: inv.domains.find((d) => d.uuid === uuid)?.readiness, ms: inv.ms };
}

/** Polls `fn` every 500 ms until `ok` says so or `timeoutMs` passes; returns the last answer. */
const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number) =>
  pollUntil(fn, ok, timeoutMs, 500);

beforeAll(() => {
  // Its own starting point: the test freeze checks that it cut nothing, so no snapshot before.
  deleteAllSnapshots(lab.p.libvirtUri, guest('agent').uuid);
});
// After every test: fail if the agent guest was left frozen (then thaw it for the next one).
failIfLeftFrozen();

describe('readiness on the real guests', () => {
  it('a stopped agent turns "not responding" within one probe timeout, and ready after it resumes', async () => {
    const agent = guest('agent');
    // Its own starting point: an agent that answers (a slow TCG guest may still be busy).
    const ready = await until(
      () => levelOf(agent.uuid),
      (v) => v.level?.level === 'ready',
      30_000,
    );
    expect(ready.level?.level).toBe('ready');
    // Stop qemu-ga from inside the guest and resume it 20 s later, all detached from the
    // guest-exec that started it (a stopped agent cannot run the resume itself).
    await guestExec(agent.name, '/bin/sh', [
      '-c',
      "setsid sh -c 'sleep 0.5; kill -STOP $(cat /run/qemu-ga.pid); sleep 20; kill -CONT $(cat /run/qemu-ga.pid)' </dev/null >/dev/null 2>&1 &",
    ]);
    // Once the agent has really stopped answering (a fixed wait missed it on a loaded host),
    // asked with the app's own probe timeout (3 s: a starved TCG guest can be slower than 1 s and
    // still answer the app): then it stays stopped for about 20 s, longer than the probe needs.
    const stopped = await until(
      () =>
        guestAgentCommand(agent.name, { execute: 'guest-ping' }, { timeoutSec: 3 }).then(
          () => false,
          () => true,
        ),
      (gone) => gone,
      20_000,
    );
    expect(stopped, 'the agent stopped answering').toBe(true);
    const hung = await levelOf(agent.uuid);
    expect(hung.level?.level).toBe('agent-not-responding');
    expect(hung.level?.evidence.at(-1)).toMatchObject({
      check: 'Agent answers guest-ping',
      ok: false,
    });
    // One probe timeout (3 s) plus the host's own work, not libvirt's 30 s job wait.
    expect(hung.ms).toBeLessThan(3000 + 6000);
    const back = await until(
      () => levelOf(agent.uuid),
      (v) => v.level?.level === 'ready',
      45_000,
    );
    expect(back.level?.level).toBe('ready');
  });

  it('flags a guest frozen from outside and thaws it', async () => {
    const agent = guest('agent');
    expect(virsh('domfsfreeze', agent.uuid)).toMatch(/Froze 1 filesystem/);
    try {
      const frozen = await levelOf(agent.uuid);
      expect(frozen.level).toMatchObject({ level: 'frozen', label: 'FROZEN' });
      expect(await lab.h.call('domains.thaw', { hostId: lab.hostId, uuid: agent.uuid })).toEqual({
        thawed: 1,
      });
      expect(await fsfreezeStatus()).toBe('thawed');
      expect((await levelOf(agent.uuid)).level?.level).toBe('ready');
    } finally {
      if ((await fsfreezeStatus()) === 'frozen') virsh('domfsthaw', agent.uuid);
    }
  });

  it('hears libvirt events: a guest paused from outside is reported without polling', async () => {
    const g = guest('no-channel');
    const lifecycleSeen = (from: number) =>
      lab.h.events
        .slice(from)
        .some((e) => e.type === 'domains-changed' && e.domain === g.name && e.kind === 'lifecycle');
    // The follower registers with libvirt shortly after connecting; until its virsh runs, an
    // event would be missed, so wait for the process the app started on the host.
    const followerRuns = async () => {
      try {
        return execFileSync('pgrep', ['-u', lab.p.user, '-f', 'event --loop --all']).length > 0;
      } catch {
        return false; // pgrep exits 1 when nothing matches
      }
    };
    await until(followerRuns, Boolean, 10_000);
    let seen = false;
    for (let attempt = 0; attempt < 3 && !seen; attempt++) {
      const before = lab.h.events.length;
      virsh('suspend', g.uuid);
      try {
        seen = await until(async () => lifecycleSeen(before), Boolean, 8_000);
        if (seen) expect((await levelOf(g.uuid)).level?.level).toBe('paused');
      } finally {
        virsh('resume', g.uuid);
      }
    }
    expect(seen).toBe(true);
  });
});

describe('agent doctor on the real guests', () => {
  it('walks every step on the agent guest', async () => {
    const r = await lab.h.call('doctor.run', { hostId: lab.hostId, uuid: guest('agent').uuid });
    expect(r.name).toBe('quiesce-lab-agent');
    expect(r.readiness.level).toBe('ready');
    expect(r.steps.filter((s) => s.verdict === 'fail')).toEqual([]);
    expect(r.filesystems?.map((f) => f.mountpoint)).toEqual(['/data']);
    expect(r.freezeHook).toMatchObject({ known: true, present: false });
    for (const s of r.steps.filter((x) => x.verdict !== 'skip')) expect(s.ms).not.toBeNull();
  });

  it('explains the guest whose agent is not started and the one without a channel', async () => {
    const noAgent = await lab.h.call('doctor.run', {
      hostId: lab.hostId,
      uuid: guest('no-agent').uuid,
    });
    expect(noAgent.readiness.level).toBe('agent-not-connected');
    expect(noAgent.steps.find((s) => s.id === 'ping')?.output).toMatch(/not connected/);
    expect(noAgent.install?.commands.length).toBeGreaterThan(0);
    const noChannel = await lab.h.call('doctor.run', {
      hostId: lab.hostId,
      uuid: guest('no-channel').uuid,
    });
    expect(noChannel.readiness.level).toBe('no-channel');
    expect(noChannel.channelXml).toContain('org.qemu.guest_agent.0');
  });

  it('test-freezes through the guarded runner: frozen, thawed, window measured, nothing cut', async () => {
    const agent = guest('agent');
    const { opId } = await lab.h.call('doctor.testFreeze', {
      hostId: lab.hostId,
      uuid: agent.uuid,
    });
    const s = await waitForEnd(lab.h, opId);
    expect(s).toMatchObject({
      operation: 'test-freeze',
      state: 'succeeded',
      label: { kind: 'test-freeze', filesystems: 1 },
    });
    expect(s.windowMs).toBeGreaterThan(0);
    expect(s.phases.map((x: { phase: string }) => x.phase)).not.toContain('cut');
    expect(virsh('snapshot-list', agent.uuid, '--name').trim()).toBe('');
    expect(await fsfreezeStatus()).toBe('thawed');
    const refused = await waitForEnd(
      lab.h,
      (await lab.h.call('doctor.testFreeze', { hostId: lab.hostId, uuid: guest('no-agent').uuid }))
        .opId,
    );
    expect(refused.state).toBe('failed');
    expect(refused.error?.cause).toMatch(/agent cannot freeze/);
  });

  it('adds the agent channel to the persistent definition only', async () => {
    const g = guest('no-channel');
    const persistent = () => virsh('dumpxml', '--inactive', g.uuid);
    const channelFile = join(tmpdir(), `quiesce-channel-${process.pid}.xml`);
    writeFileSync(
      channelFile,
      "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
    );
    // Its own starting point: a definition without the channel, whatever an earlier run left.
    if (persistent().includes('org.qemu.guest_agent.0'))
      virsh('detach-device', g.uuid, channelFile, '--config');
    expect(persistent()).not.toContain('org.qemu.guest_agent.0');
    try {
      expect(await lab.h.call('doctor.addChannel', { hostId: lab.hostId, uuid: g.uuid })).toEqual({
        restartNeeded: true,
      });
      expect(persistent()).toContain("name='org.qemu.guest_agent.0'");
      // The running guest does not have it until libvirt restarts it.
      expect(virsh('dumpxml', g.uuid)).not.toContain('org.qemu.guest_agent.0');
    } finally {
      if (persistent().includes('org.qemu.guest_agent.0'))
        virsh('detach-device', g.uuid, channelFile, '--config');
    }
  });
});
