import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGatherOutput } from '../../electron/services/inventory/gather-output';
import { buildHistory, parseBlockStats, LONG_CHAIN } from '../../electron/services/history/history';
import { manualRevertProcedure } from '../../electron/services/history/history-actions';

const g = () => parseGatherOutput(readFileSync('test/fixtures/history/two-outside.ndjson', 'utf8'));

describe('history from real captured host output', () => {
  it('lists libvirt’s snapshots in order, marked as not made by Quiesce, with sizes and the chain', () => {
    const h = buildHistory(g(), 'qemu:///system');
    expect(h.snapshots.map((s) => [s.name, s.madeByQuiesce, s.parent])).toEqual([
      ['outside-1', false, null],
      ['outside-2', false, 'outside-1'],
    ]);
    expect(h.snapshots[0]!.description).toBe('a <described> one');
    expect(h.snapshots[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const s of h.snapshots) expect(s.sizeBytes).toBeGreaterThan(0);
    expect(h.chains).toHaveLength(1);
    expect(h.chains[0]!.layers.map((l) => l.file.split('/').pop())).toEqual([
      'data.outside-2',
      'data.outside-1',
      'data.qcow2',
    ]);
    expect(h.abilities).toEqual({ libvirt: '9.0.0', deleteExternal: true, revertExternal: false });
  });
});

describe('chain health', () => {
  it('warns when a chain grows long', () => {
    const stats = Array.from(
      { length: LONG_CHAIN + 1 },
      (_, i) => `  block.${i}.name=vda\n  block.${i}.path=/img/${i}\n  block.${i}.physical=10`,
    ).join('\n');
    const [chain] = parseBlockStats(`Domain: 'x'\n${stats}\n`);
    expect(chain!.layers).toHaveLength(LONG_CHAIN + 1);
    expect(chain!.warning).toMatch(/layers/);
    expect(
      parseBlockStats("Domain: 'x'\n  block.0.name=vda\n  block.0.path=/a\n")[0]!.warning,
    ).toBeUndefined();
  });

  it('spells out the manual revert for libvirt before 9.9', () => {
    const text = manualRevertProcedure('web-1', 'before-upgrade', '9.0.0');
    expect(text).toMatch(/9\.9/);
    expect(text).toMatch(/virsh shutdown web-1/);
    expect(text).toMatch(/qemu-img create -f qcow2 -F qcow2 -b/);
  });
});
