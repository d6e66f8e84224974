import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { revertFaultHost } from '../fault/revert-fault-run';
import {
  parseLibvirtVersion,
  revertProcedure,
} from '../../electron/services/revert/revert-procedure';

const snap = { kind: 'snapshot', name: 'A' } as const;
const branch = { kind: 'branch', id: '20261201T000000Z-0000000a' } as const;

describe('who reverts, by the host’s libvirt version', () => {
  it.each([
    ['1.2.5', 'quiesce'],
    ['8.0.0', 'quiesce'], // Ubuntu 22.04
    ['9.0.0', 'quiesce'], // Debian 12, the lab
    ['9.8.9', 'quiesce'],
    ['9.9.0', 'libvirt'],
    ['9.10.0', 'libvirt'], // numeric, not text order
    ['10.0.0', 'libvirt'],
    ['11.3', 'libvirt'],
    ['unknown', 'quiesce'],
    ['', 'quiesce'],
  ])('libvirt %s reverts a snapshot by %s', (v, who) => {
    expect(revertProcedure(v, snap)).toBe(who);
  });

  it('a discarded branch is Quiesce’s on every libvirt (libvirt does not know it)', () => {
    expect(revertProcedure('10.0.0', branch)).toBe('quiesce');
  });

  it('reads versions as virsh prints them', () => {
    expect(parseLibvirtVersion('9.0.0')).toEqual([9, 0, 0]);
    expect(parseLibvirtVersion(' 10.1 ')).toEqual([10, 1, 0]);
    expect(parseLibvirtVersion('9.x')).toBeNull();
  });
});

/**
 * The runner with procedure=libvirt against the scripted virsh: the left state kept as a
 * snapshot of the stopped guest, then libvirt's own snapshot-revert (no define of Quiesce's
 * after.xml), the branch recorded with the keep snapshot, the guest started again; and a run
 * killed just after libvirt's revert is finished by revert.recover.
 */
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('libvirt’s own revert, called by the runner (fake virsh)', () => {
  it('keeps the left state as a snapshot, then calls snapshot-revert; nothing Quiesce defines', async () => {
    const f = revertFaultHost(roots);
    const top = f.definedFiles()[0]!;
    const { opId, keep } = f.launch('revert', { procedure: 'libvirt' });
    const s = await f.settleOf(opId);
    expect(s, JSON.stringify(s)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(s.phases.map((p) => p.phase)).toEqual([
      'lock',
      'settle',
      'preflight',
      'stop',
      'keep',
      'switch',
      'branch',
      'current',
      'start',
      'verify',
    ]);
    const calls = f.trace().split('\n');
    const at = (re: RegExp) => calls.findIndex((c) => re.test(c));
    expect(at(/^shutdown /)).toBeLessThan(at(/^snapshot-create-as /));
    expect(calls[at(/^snapshot-create-as /)]).toContain(
      `--name quiesce-keep-${opId} --description`,
    );
    expect(calls[at(/^snapshot-create-as /)]).toContain(
      `--diskspec vda,snapshot=external,file=${keep}`,
    );
    expect(at(/^snapshot-create-as /)).toBeLessThan(
      at(/^snapshot-revert --domain \S+ --snapshotname A$/),
    );
    expect(at(/^snapshot-revert /)).toBeLessThan(at(/^start /));
    expect(f.trace()).not.toMatch(/^define /m);
    expect(f.trace()).not.toMatch(/--redefine/);
    // nothing deleted that held the guest's state: the old top stays (the keep snapshot's image)
    expect(existsSync(top)).toBe(true);
    expect(f.domstate()).toBe('running');
    expect(f.branches()[0]).toMatchObject({ id: opId, snapshots: ['B', `quiesce-keep-${opId}`] });
    expect(f.branches()[0]!.disks[0]!.top).toBe(top);
  });

  it('killed right after libvirt’s revert: recover finishes it (its target is libvirt’s current snapshot)', async () => {
    const f = revertFaultHost(roots);
    f.killAt('switch', 2); // snapshot-revert (1) done, the journal's clock (2)
    const { opId } = f.launch('revert', { procedure: 'libvirt' });
    expect((await f.settleOf(opId)).state).toBe('lost');
    const r = await f.settleOf(f.launch('recover').opId);
    expect(r, JSON.stringify(r)).toMatchObject({
      state: 'succeeded',
      settled: [{ opId, act: 'finished' }],
    });
    expect(f.domstate()).toBe('running');
    expect(f.branchLines()).toHaveLength(1);
  });

  it('killed at libvirt’s revert, before it: recover rolls back (the guest on its kept state, started again)', async () => {
    const f = revertFaultHost(roots);
    f.killAt('switch', 1);
    const { opId, keep } = f.launch('revert', { procedure: 'libvirt' });
    expect((await f.settleOf(opId)).state).toBe('lost');
    const r = await f.settleOf(f.launch('recover').opId);
    expect(r, JSON.stringify(r)).toMatchObject({
      state: 'succeeded',
      settled: [{ opId, act: 'rolled-back' }],
    });
    // the keep snapshot's overlay is the domain's disk now: in use, so kept
    expect(f.definedFiles()).toEqual([keep]);
    expect(existsSync(keep!)).toBe(true);
    expect(f.domstate()).toBe('running');
    expect(f.branchLines()).toEqual([]);
  });
});
