import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { memoryImage } from '../../electron/services/revert/revert-plan';
import { revertFaultHost } from '../fault/revert-fault-run';
import { checkpointOffered, validateSnapshot } from '../../renderer/snapshot/snapshot-draft';
import { contract } from '../../shared/contract';

/**
 * A full checkpoint (disks + memory) reverted by Quiesce's procedure: the memory image found in
 * the snapshot's XML, and the runner restoring it (not booting) after the switch, against the
 * scripted virsh — also when a killed run is finished by revert.recover.
 */
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('the memory image of a snapshot', () => {
  it('an external memory snapshot names its file; a disk-only one has none', () => {
    const domain = "<domain type='kvm'><memory unit='KiB'>262144</memory></domain>";
    expect(
      memoryImage(
        `<domainsnapshot><name>A</name><state>paused</state><memory snapshot='external' file='/img/data.A.mem'/><disks/>${domain}</domainsnapshot>`,
      ),
    ).toBe('/img/data.A.mem');
    // the <memory> of the recorded domain is its size, not a memory image
    expect(
      memoryImage(
        `<domainsnapshot><name>A</name><memory snapshot='no'/><disks/>${domain}</domainsnapshot>`,
      ),
    ).toBeNull();
  });
});

describe('reverting a full checkpoint (fake virsh)', () => {
  it('restores the memory image on the new overlay, running as the guest was', async () => {
    const f = revertFaultHost(roots);
    const { opId, overlay } = f.launch('revert', { memory: true });
    const s = await f.settleOf(opId);
    expect(s, JSON.stringify(s)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(f.trace()).toMatch(/^restore --file \S+data\.A\.mem --xml \S+restore\.xml --running$/m);
    expect(f.trace()).not.toMatch(/^start /m);
    expect(f.domstate()).toBe('running');
    expect(f.definedFiles()).toEqual([overlay]);
  });

  it('a guest paused when reverted comes back paused, and nobody waits for its agent', async () => {
    const f = revertFaultHost(roots);
    f.setDomstate('paused');
    const { opId } = f.launch('revert', { memory: true });
    const s = await f.settleOf(opId);
    expect(s, JSON.stringify(s)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(f.trace()).toMatch(/^restore .* --paused$/m);
    expect(s.phases.map((p) => p.phase)).not.toContain('verify');
    expect(f.domstate()).toBe('paused');
  });

  it('killed after the switch: recover restores the memory image rather than booting', async () => {
    const f = revertFaultHost(roots);
    f.killAt('branch', 1);
    const { opId } = f.launch('revert', { memory: true });
    expect((await f.settleOf(opId)).state).toBe('lost');
    expect(f.domstate()).toBe('shut off');
    const r = await f.settleOf(f.launch('recover').opId);
    expect(r).toMatchObject({ state: 'succeeded', settled: [{ opId, act: 'finished' }] });
    expect(f.trace()).toMatch(/^restore .* --running$/m);
    expect(f.trace()).not.toMatch(/^start /m);
    expect(f.domstate()).toBe('running');
  });
});

describe('the full checkpoint offered in the snapshot dialog', () => {
  it('is offered (ticked) for a paused guest only, and reaches snapshot.start as memory', () => {
    expect(checkpointOffered('paused')).toBe(true);
    for (const level of ['ready', 'not-running', 'agent-not-responding'])
      expect(checkpointOffered(level)).toBe(false);
    const fields = {
      name: 'ck',
      description: '',
      policy: 'require' as const,
      maxFreeze: '10',
      remember: false,
    };
    const target = {
      hostId: '00000000-0000-4000-8000-0000000000aa',
      uuid: '00000000-0000-4000-8000-00000000000b',
    };
    const withMemory = validateSnapshot({ ...fields, memory: true }, target);
    expect('input' in withMemory && withMemory.input.memory).toBe(true);
    const parsed = contract['snapshot.start'].input.parse(
      'input' in withMemory ? withMemory.input : {},
    );
    expect(parsed.memory).toBe(true);
    const without = validateSnapshot(fields, target);
    expect('input' in without && 'memory' in without.input).toBe(false);
  });
});
