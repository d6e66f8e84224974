import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectedLabSession,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';
import { PHASES } from '../../shared/snapshot';
import { deleteAllSnapshots, snapshotDescription, waitForEnd } from '../support/snapshot-helpers';
import { failIfLeftFrozen } from '../support/lab-guard';

let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
let hostId: string;
const guest = (role: string) => p.guests.find((g) => g.role === role)!;

beforeAll(async () => {
  ({ p, h, hostId } = await connectedLabSession());
  // Its own starting point: no snapshot named "first" left by anything before.
  for (const g of p.guests) deleteAllSnapshots(p.libvirtUri, g.uuid);
});
failIfLeftFrozen();
afterAll(() => {
  for (const g of p.guests) deleteAllSnapshots(p.libvirtUri, g.uuid);
  h.dispose();
});

describe('consistent snapshot', () => {
  it('freezes, cuts and thaws on the host, and reports a quiesced snapshot with its window', async () => {
    const agent = guest('agent');
    const { opId } = await h.call('snapshot.start', {
      hostId,
      uuid: agent.uuid,
      name: 'first',
      description: 'before the upgrade <&> "quoted"',
    });
    const s = await waitForEnd(h, opId);
    expect(s.error).toBeUndefined();
    expect(s).toMatchObject({ state: 'succeeded', label: { kind: 'quiesced', filesystems: 1 } });
    expect(s.windowMs).toBeGreaterThan(0);
    expect(s.phases.map((x) => x.phase)).toEqual([...PHASES]);
    // Stored verbatim: what libvirt gives back, unescaped, is exactly what was typed.
    expect(snapshotDescription(p.libvirtUri, agent.uuid, 'first')).toBe(
      'before the upgrade <&> "quoted"',
    );
    const listed = await h.call('operations.list', { hostId });
    expect(listed.operations[0]).toMatchObject({ opId, state: 'succeeded' });
  });
});
