import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  connectedLabSession,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';
import { failIfLeftFrozen } from '../support/lab-guard';

/** Lab tier: the app's inventory of the real QEMU guests under the real libvirtd. */
let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
let hostId: string;
beforeAll(async () => {
  ({ p, h, hostId } = await connectedLabSession());
});
failIfLeftFrozen();
afterAll(() => h.dispose());

const virsh = (...args: string[]) =>
  execFileSync('virsh', ['-q', '-c', p.libvirtUri, ...args], { encoding: 'utf8' });

describe('lab guests', () => {
  it('lists the three lab guests, running, with their UUIDs and readiness', async () => {
    const { domains, roundTrips } = await h.call('domains.list', { hostId });
    expect(roundTrips).toBe(1);
    const expected: Record<string, string> = {
      agent: 'ready',
      'no-agent': 'agent-not-connected',
      'no-channel': 'no-channel',
    };
    for (const g of p.guests) {
      const d = domains.find((x) => x.uuid === g.uuid);
      expect(d).toMatchObject({ name: g.name, state: 'running' });
      expect(d?.readiness.level, g.name).toBe(expected[g.role]);
    }
  });

  it('sees a guest paused and resumed on the host', async () => {
    const agent = p.guests.find((g) => g.role === 'no-channel')!;
    virsh('suspend', agent.uuid);
    try {
      const { domains } = await h.call('domains.list', { hostId });
      expect(domains.find((d) => d.uuid === agent.uuid)?.state).toBe('paused');
    } finally {
      virsh('resume', agent.uuid);
    }
    const { domains } = await h.call('domains.list', { hostId });
    expect(domains.find((d) => d.uuid === agent.uuid)?.state).toBe('running');
  });

  it('the agent guest answers its real guest agent, the others do not', () => {
    const agent = p.guests.find((g) => g.role === 'agent')!;
    expect(virsh('qemu-agent-command', agent.uuid, '{"execute":"guest-ping"}')).toContain(
      '"return"',
    );
    const noAgent = p.guests.find((g) => g.role === 'no-agent')!;
    expect(() =>
      execFileSync(
        'virsh',
        ['-c', p.libvirtUri, 'qemu-agent-command', noAgent.uuid, '{"execute":"guest-ping"}'],
        {
          stdio: 'pipe',
        },
      ),
    ).toThrow(/not connected/);
  });
});
