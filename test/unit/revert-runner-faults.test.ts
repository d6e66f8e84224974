import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { revertFaultHost } from '../fault/revert-fault-run';

/**
 * The real revert runner (launch.sh → revert-runner.sh, as shipped) against a scripted virsh
 * (test/fault/fake-revert-virsh.sh): what it leaves when the guest will not stop, when libvirt
 * refuses the new definition, and when all goes well.
 */
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

async function run(plan: string[], opts: { allowForce?: boolean } = {}) {
  const f = revertFaultHost(roots);
  f.plan(plan);
  const { opId, overlay } = f.launch('revert', opts);
  return {
    summary: await f.settleOf(opId),
    overlay: overlay!,
    def: f.def(),
    before: f.original,
    domstate: f.domstate(),
    trace: f.trace(),
    branches: f.branches(),
  };
}

describe('revert runner faults (fake virsh)', () => {
  it('goes all the way: overlay made before the stop, definition switched, branch recorded, guest started', async () => {
    const r = await run([]);
    expect(r.summary, JSON.stringify(r.summary)).toMatchObject({
      state: 'succeeded',
      outcome: 'finished',
    });
    expect(existsSync(r.overlay)).toBe(true);
    expect(r.def).toContain(r.overlay);
    expect(r.domstate).toBe('running');
    const calls = r.trace.split('\n');
    const at = (re: RegExp) => calls.findIndex((c) => re.test(c));
    expect(at(/^create /)).toBeLessThan(at(/^shutdown /));
    expect(at(/^shutdown /)).toBeLessThan(at(/^define /));
    expect(at(/^define /)).toBeLessThan(at(/^start /));
    expect(r.branches).toHaveLength(1);
    expect(r.branches[0]).toMatchObject({ from: 'B', snapshots: ['B'] });
    expect(r.branches[0]!.disks[0]!.top).toMatch(/data\.B\.qcow2$/);
  });

  it('a guest that will not stop, without leave to power it off: rolled back, nothing changed', async () => {
    const r = await run(['shutdown ignore']);
    expect(r.summary).toMatchObject({
      state: 'failed',
      failedPhase: 'stop',
      outcome: 'rolled-back',
    });
    expect(r.def).toBe(r.before);
    expect(existsSync(r.overlay)).toBe(false);
    expect(r.trace).not.toMatch(/^destroy/m);
    expect(r.domstate).toBe('running');
    expect(r.branches).toEqual([]);
  });

  it('the same guest, with leave to power it off: destroyed after the timeout, then reverted', async () => {
    const r = await run(['shutdown ignore'], { allowForce: true });
    expect(r.summary).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(r.trace).toMatch(/^destroy/m);
    expect(r.def).toContain(r.overlay);
  });

  it('libvirt refuses the new definition: rolled back, the guest started again on its old disk', async () => {
    const r = await run(['define fail']);
    expect(r.summary).toMatchObject({
      state: 'failed',
      failedPhase: 'switch',
      outcome: 'rolled-back',
    });
    expect(r.def).toBe(r.before);
    expect(existsSync(r.overlay)).toBe(false);
    expect(r.domstate).toBe('running');
    expect(r.branches).toEqual([]);
  });

  it('the overlay cannot be made: the guest is never stopped', async () => {
    const r = await run(['qemu-img fail']);
    expect(r.summary).toMatchObject({
      state: 'failed',
      failedPhase: 'prepare',
      outcome: 'rolled-back',
    });
    expect(r.trace).not.toMatch(/^shutdown/m);
    expect(r.def).toBe(r.before);
  });
});
