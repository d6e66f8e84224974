import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGatherOutput } from '../../electron/services/inventory/gather-output';
import {
  buildDoctorReport,
  installAdvice,
  parseDomstate,
  parseFsinfo,
  parseHookCheck,
} from '../../electron/services/inventory/doctor';
import { DoctorReportSchema } from '../../shared/readiness';

const report = (name: string, uuid: string) =>
  buildDoctorReport(
    parseGatherOutput(readFileSync(`test/fixtures/doctor/${name}.ndjson`, 'utf8')),
    'qemu:///system',
    uuid,
    3,
  );

describe('agent doctor on real captured output', () => {
  it('passes every step on the agent guest, lists its filesystem and sees no hook', () => {
    const r = report('agent-ready', '763ae968-9e71-41c1-9def-41b58313b8ce');
    expect(r.name).toBe('quiesce-lab-agent');
    // the contract's answer: the domain by the UUID it was asked by, never by its name
    expect(DoctorReportSchema.safeParse(r).success).toBe(true);
    expect(DoctorReportSchema.safeParse({ ...r, uuid: r.name }).success).toBe(false);
    expect(r.readiness.level).toBe('ready');
    expect(r.steps.map((s) => [s.id, s.verdict])).toEqual([
      ['state', 'pass'],
      ['channel', 'pass'],
      ['ping', 'pass'],
      ['info', 'pass'],
      ['fsstatus', 'pass'],
      ['fsinfo', 'pass'],
      ['hook', 'warn'],
    ]);
    expect(r.filesystems).toEqual([
      { mountpoint: '/data', name: 'vda', type: 'ext4', devices: ['/dev/vda'] },
    ]);
    expect(r.freezeHook).toMatchObject({ known: true, present: false });
    for (const s of r.steps) expect(s.command).toMatch(/^virsh|^guest-exec/);
  });

  it('explains a channel with no agent behind it, with install advice', () => {
    const r = report('no-agent', '60659894-33b6-4bd9-870e-16c71496e5b5');
    expect(r.readiness.level).toBe('agent-not-connected');
    expect(r.steps.find((s) => s.id === 'channel')).toMatchObject({ verdict: 'fail' });
    expect(r.steps.find((s) => s.id === 'ping')?.output).toMatch(/not connected/);
    expect(r.install?.commands.join('\n')).toMatch(/qemu-guest-agent/);
    expect(r.channelXml).toBeUndefined();
  });

  it('offers the channel XML when the channel is missing', () => {
    const r = report('no-channel', '5553c9cc-4703-4a6a-818f-cf9e28a57230');
    expect(r.readiness.level).toBe('no-channel');
    expect(r.channelXml).toContain("name='org.qemu.guest_agent.0'");
  });
});

describe('doctor parsers', () => {
  it('reads domstate', () => {
    expect(parseDomstate('running (booted)\n')).toBe('running');
    expect(parseDomstate('shut off (destroyed)')).toBe('shut off');
    expect(parseDomstate('weird')).toBe('no state');
  });

  it('warns about loop devices, FUSE and filesystems off any disk', () => {
    const fs = parseFsinfo(
      JSON.stringify({
        return: [
          { name: 'loop0', mountpoint: '/mnt/img', type: 'ext4', disk: [] },
          { name: 'fuse', mountpoint: '/mnt/s3', type: 'fuse.s3fs', disk: [{ dev: '/dev/x' }] },
          { name: 'vda1', mountpoint: '/', type: 'xfs', disk: [{ dev: '/dev/vda1' }] },
        ],
      }),
    );
    expect(fs[0]!.warning).toMatch(/loop/);
    expect(fs[1]!.warning).toMatch(/FUSE/);
    expect(fs[2]!.warning).toBeUndefined();
  });

  it('gives install commands per OS family', () => {
    expect(
      installAdvice('{"return":{"id":"debian","pretty-name":"Debian GNU/Linux 12"}}'),
    ).toMatchObject({ family: 'debian', os: 'Debian GNU/Linux 12' });
    expect(installAdvice('{"return":{"id":"rocky"}}')?.family).toBe('rhel');
    expect(installAdvice('{"return":{"id":"mswindows"}}')?.family).toBe('windows');
    expect(installAdvice(undefined)?.family).toBe('unknown');
  });

  it('tells a hook from none, and unknown when guest-exec is refused', () => {
    const status = (text: string) =>
      JSON.stringify({ return: { exitcode: 0, 'out-data': Buffer.from(text).toString('base64') } });
    expect(
      parseHookCheck(
        status('agent: /usr/bin/qemu-ga -F\n-rwxr-xr-x 1 root root 1 /etc/qemu/fsfreeze-hook\n'),
      ).present,
    ).toBe(true);
    expect(parseHookCheck(status('agent: /usr/bin/qemu-ga --method=virtio-serial\n')).present).toBe(
      false,
    );
    expect(parseHookCheck(undefined).known).toBe(false);
  });
});
