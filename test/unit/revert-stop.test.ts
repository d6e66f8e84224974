import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { revertFaultHost } from '../fault/revert-fault-run';

/** The revert runner's stop phase against the scripted virsh (test/fault/fake-revert-virsh.sh). */
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('revert: stopping the guest', () => {
  it('an agent not up yet (a guest still booting, no acpid) is asked again and takes the shutdown', async () => {
    const f = revertFaultHost(roots);
    f.plan(['shutdown agent-late']);
    const { opId, overlay } = f.launch('revert', { stopTimeoutS: 12 });
    const s = await f.settleOf(opId, 30_000);
    expect(s, JSON.stringify(s)).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(s.phases.find((p) => p.phase === 'stop')?.detail).toMatch(/agent \(retried\)/);
    expect(f.trace().match(/^shutdown \S+ --mode agent$/gm)).toHaveLength(2);
    expect(f.trace()).not.toMatch(/^destroy/m);
    expect(f.definedFiles()).toEqual([overlay]);
  }, 40_000);
});
