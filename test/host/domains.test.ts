import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  labHostDraft,
  labProfile,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';

/** Host tier: listing domains through real virsh over the real sshd, on libvirt's test driver. */
let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
beforeAll(() => {
  p = labProfile();
  h = serviceHarness({ knownHosts: readFileSync(p.knownHostsPath, 'utf8') });
});
afterAll(() => h.dispose());

async function connected(libvirtUri: string) {
  const host = await h.call('hosts.save', labHostDraft(p, { libvirtUri }));
  expect((await h.call('hosts.connect', { hostId: host.id })).status).toBe('connected');
  return host;
}

describe('domain inventory on the test driver', () => {
  it('lists all domains with UUID, name and state, as virsh itself does', async () => {
    const host = await connected(p.testDriverUri);
    const { domains } = await h.call('domains.list', { hostId: host.id });
    expect(domains).toHaveLength(p.testDriverDomains);
    const local = execFileSync(
      'virsh',
      ['-q', '-c', p.testDriverUri, 'list', '--all', '--uuid', '--name'],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(domains.map((d) => d.uuid).sort()).toEqual(local.sort());
    const states = new Set(domains.map((d) => d.state));
    expect(states).toContain('running');
    expect(states).toContain('shut off');
    const shutOff = execFileSync(
      'virsh',
      ['-q', '-c', p.testDriverUri, 'list', '--uuid', '--state-shutoff'],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(
      domains
        .filter((d) => d.state === 'shut off')
        .map((d) => d.uuid)
        .sort(),
    ).toEqual(shutOff.sort());
  });

  it('explains a libvirt URI that does not work on the host', async () => {
    const host = await connected('test:///nonexistent/node.xml');
    const err = await h.callError('domains.list', { hostId: host.id });
    expect(err.code).toBe('host-command-failed');
    expect(err.message).toMatch(/does not answer/);
    expect(err.cause).toMatch(/nonexistent/);
  });

  it('says to connect first when not connected', async () => {
    const host = await h.call('hosts.save', labHostDraft(p, { name: 'not connected' }));
    expect(await h.callError('domains.list', { hostId: host.id })).toMatchObject({
      code: 'not-connected',
    });
  });
});
