import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLabSession } from '../support/lab-fixture';
import { PHASES } from '../../shared/snapshot';
import { deleteAllSnapshots, snapshotDescription, waitForEnd } from '../support/snapshot-helpers';
import { failIfLeftFrozen } from '../support/lab-guard';

const lab = useLabSession();
const guest = (role: string) => lab.p.guests.find((g) => g.role === role)!;

beforeAll(() => {
  // Its own starting point: no snapshot named "first" left by anything before.
  for (const g of lab.p.guests) deleteAllSnapshots(lab.p.libvirtUri, g.uuid);
});
failIfLeftFrozen();
afterAll(() => {
  for (const g of lab.p.guests) deleteAllSnapshots(lab.p.libvirtUri, g.uuid);
});

describe('consistent snapshot', () => {
  it('freezes, cuts and thaws on the host, and reports a quiesced snapshot with its window', async () => {
    const agent = guest('agent');
    const { opId } = await lab.h.call('snapshot.start', {
      hostId: lab.hostId,
      uuid: agent.uuid,
      name: 'first',
      description: 'before the upgrade <&> "quoted"',
    });
    const s = await waitForEnd(lab.h, opId);
    expect(s.error).toBeUndefined();
    expect(s).toMatchObject({ state: 'succeeded', label: { kind: 'quiesced', filesystems: 1 } });
    expect(s.windowMs).toBeGreaterThan(0);
    expect(s.phases.map((x) => x.phase)).toEqual([...PHASES]);
    // Stored verbatim: what libvirt gives back, unescaped, is exactly what was typed.
    expect(snapshotDescription(lab.p.libvirtUri, agent.uuid, 'first')).toBe(
      'before the upgrade <&> "quoted"',
    );
    const listed = await lab.h.call('operations.list', { hostId: lab.hostId });
    expect(listed.operations[0]).toMatchObject({ opId, state: 'succeeded' });
  });
});
