import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../shared/events';
import type { HostProfile } from '../../shared/hosts';
import { scheduleHandlers } from '../../electron/services/schedule/schedule-handlers';
import type { SshConnection } from '../../electron/services/ssh/ssh-connection';
import { operationNotice } from '../../electron/shell/operation-notice';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const uuid = '0b6f3a52-1f0e-4c8e-9a51-2f1d8c3b7e10';
const run = (id: string, status: string, end: number) =>
  JSON.stringify({
    schedule: 'nightly',
    run: id,
    status,
    uuid,
    op: '',
    snapshot: '',
    failedPhase: 'preflight',
    error: b64('agent not connected'),
    pruned: [],
    pruneError: '',
    start: end - 1,
    end,
  });

function hostWith(results: string[]) {
  const listing = () =>
    [
      '@@host',
      'now=1764561600',
      'offset=+0000',
      'tz=UTC',
      'crontab=yes',
      'systemd=no',
      'linger=no',
      'user=u',
      'hook=',
      'seen=',
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
      ...results,
    ].join('\n');
  const conn = {
    exec: async () => ({ code: 0, stdout: listing(), stderr: '' }),
  } as unknown as SshConnection;
  const host = {
    id: 'h1',
    name: 'kvm1',
    hostDir: '.quiesce',
    libvirtUri: 'qemu:///system',
  } as HostProfile;
  return { target: async () => ({ host, conn }) };
}

describe('schedule alerts reach the desktop shell once each', () => {
  it('raises an event per unseen failure, once per process, and the shell words it', async () => {
    const results = [run('r1', 'skipped', 1000)];
    const events: AppEvent[] = [];
    const { target } = hostWith(results);
    const h = scheduleHandlers(target, { agentTimeoutS: 5, emit: (e) => events.push(e) });
    const first = await h['schedule.list']({ hostId: 'h1' });
    expect(first.alerts).toHaveLength(1);
    await h['schedule.list']({ hostId: 'h1' });
    expect(events).toEqual([
      {
        type: 'schedule-alert',
        hostId: 'h1',
        schedule: 'nightly',
        message: expect.stringMatching(/^Skipped: agent not connected/),
      },
    ]);
    results.push(run('r2', 'failed', 2000));
    await h['schedule.list']({ hostId: 'h1' });
    expect(events.map((e) => (e.type === 'schedule-alert' ? e.message : ''))).toEqual([
      expect.stringMatching(/^Skipped/),
      expect.stringMatching(/^No snapshot: failed at preflight/),
    ]);
    expect(operationNotice(events[1]!)).toEqual({
      title: 'Schedule nightly needs a look',
      body: expect.stringMatching(/^No snapshot/),
    });
  });
});
