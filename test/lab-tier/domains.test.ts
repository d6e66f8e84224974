import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { useLabSession } from '../support/lab-fixture';
import { failIfLeftFrozen } from '../support/lab-guard';

/** Lab tier: the app's inventory of the real QEMU guests under the real libvirtd. */
const lab = useLabSession();
failIfLeftFrozen();

const virsh = (...args: string[]) =>
  execFileSync('virsh', ['-q', '-c', lab.p.libvirtUri, ...args], { encoding: 'utf8' });

describe('lab guests', () => {
  it('lists the three lab guests, running, with their UUIDs and readiness', async () => {
    const { domains, roundTrips } = await lab.h.call('domains.list', { hostId: lab.hostId });
    expect(roundTrips).toBe(1);
    const expected: Record<string, string> = {
      agent: 'ready',
      'no-agent': 'agent-not-connected',
      'no-channel': 'no-channel',
    };
    for (const g of lab.p.guests) {
      const d = domains.find((x) => x.uuid === g.uuid);
      expect(d).toMatchObject({ name: g.name, state: 'running' });
      expect(d?.readiness.level, g.name).toBe(expected[g.role]);
    }
  });

  it('sees a guest paused and resumed on the host', async () => {
    const agent = lab.p.guests.find((g) => g.role === 'no-channel')!;
    virsh('suspend', agent.uuid);
    try {
      const { domains } = await lab.h.call('domains.list', { hostId: lab.hostId });
      expect(domains.find((d) => d.uuid === agent.uuid)?.state).toBe('paused');
    } finally {
      virsh('resume', agent.uuid);
    }
    const { domains } = await lab.h.call('domains.list', { hostId: lab.hostId });
    expect(domains.find((d) => d.uuid === agent.uuid)?.state).toBe('running');
  });

  it('the agent guest answers its real guest agent, the others do not', () => {
    const agent = lab.p.guests.find((g) => g.role === 'agent')!;
    expect(virsh('qemu-agent-command', agent.uuid, '{"execute":"guest-ping"}')).toContain(
      '"return"',
    );
    const noAgent = lab.p.guests.find((g) => g.role === 'no-agent')!;
    expect(() =>
      execFileSync(
        'virsh',
        ['-c', lab.p.libvirtUri, 'qemu-agent-command', noAgent.uuid, '{"execute":"guest-ping"}'],
        {
          stdio: 'pipe',
        },
      ),
    ).toThrow(/not connected/);
  });
});
