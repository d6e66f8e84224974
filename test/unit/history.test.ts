import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGatherOutput } from '../../electron/services/inventory/gather-output';
import {
  buildHistory,
  parseBlockStats,
  parseSnapshotXml,
  LONG_CHAIN,
} from '../../electron/services/history/history';
import { AppError } from '../../electron/services/app-error';
import { manualRevertProcedure } from '../../electron/services/history/history-actions';

/** history.sh's output, captured from the lab over SSH (the SSH user, qemu:///system). */
const fixture = (name: string) =>
  parseGatherOutput(readFileSync(`test/fixtures/history/${name}.ndjson`, 'utf8'));
const g = () => fixture('two-outside');

/** The names hostile-names.ndjson was made with (virsh snapshot-create-as --name, as root). */
const HOSTILE = [
  'x; destroy quiesce-hostile-victim',
  'a b',
  '--current',
  'it\'s "quoted"',
  'ünïcødé ✓',
  'line\nbreak',
];

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

describe('history with hostile snapshot names (captured from the lab)', () => {
  it('lists every snapshot under its exact name, in libvirt’s order, with its parent', () => {
    const h = buildHistory(fixture('hostile-names'), 'qemu:///system');
    expect(h.snapshots.map((s) => s.name)).toEqual(HOSTILE);
    expect(h.snapshots.map((s) => s.parent)).toEqual([null, ...HOSTILE.slice(0, -1)]);
    expect(h.snapshots.map((s) => s.description)).toEqual(
      HOSTILE.map((_, i) => `hostile ${i + 1}`),
    );
    expect(h.snapshots.map((s) => s.disks[0]!.file!.split('/').pop())).toEqual(
      HOSTILE.map((_, i) => `hostile-fixture-${i + 1}.qcow2`),
    );
    for (const s of h.snapshots) expect(s).toMatchObject({ madeByQuiesce: false, windowMs: null });
  });

  it('never drops a snapshot it could not read: the history says so instead', () => {
    const out = fixture('hostile-names');
    out.captures.set('snap:2', {
      rc: 1,
      ms: 5,
      out: '',
      err: "error: Domain snapshot not found: no domain snapshot with matching name '--current'\n",
    });
    out.captures.delete('snap:5');
    let err: unknown;
    try {
      buildHistory(out, 'qemu:///system');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      message: '2 of the domain’s snapshots could not be read.',
      details: {
        cause: expect.stringContaining("matching name '--current'"),
        remedy: expect.stringMatching(/refresh/),
      },
    });
    expect((err as AppError).details.cause).toContain('snapshot 6 of 6 was not read');
  });

  it('reads a name byte for byte: spaces at either end, entities, line breaks', () => {
    const doc = [
      '<domainsnapshot>',
      '  <name>  before upgrade &apos;1&apos; &amp; &lt;2&gt;',
      ' </name>',
      '  <description> two  spaces </description>',
      '  <state>disk-snapshot</state>',
      '  <parent>',
      '    <name>--current</name>',
      '  </parent>',
      '  <creationTime>1795727597</creationTime>',
      '</domainsnapshot>',
    ].join('\n');
    expect(parseSnapshotXml(doc)).toMatchObject({
      name: "  before upgrade '1' & <2>\n ",
      description: ' two  spaces ',
      parent: '--current',
      state: 'disk-snapshot',
      createdAt: '2026-11-26T21:13:17.000Z',
    });
    expect(parseSnapshotXml('error: Domain snapshot not found')).toBeNull();
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
    expect(text).toMatch(/virsh shutdown --domain web-1/);
    expect(text).toMatch(/qemu-img create -f qcow2 -F qcow2 -b/);
  });
});
