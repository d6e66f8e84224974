import { describe, expect, it } from 'vitest';
import { readSnapshotXml } from '../../electron/services/history/snapshot-xml';
import { parseSnapshotXml } from '../../electron/services/history/history';
import { frozenImages, memoryImage } from '../../electron/services/revert/revert-plan';

const DOC = `<domainsnapshot>
  <name> before upgrade </name>
  <parent><name>base</name></parent>
  <memory snapshot='external' file='/v/web.mem'/>
  <disks>
    <disk name='vda' snapshot='external'><source file='/v/web.s1.qcow2'/></disk>
    <disk name='vdb' snapshot='no'/>
  </disks>
  <domain type='kvm'><name>web</name><devices>
    <disk type='file' device='disk'><driver type='qcow2'/><source file='/v/web.qcow2'/><target dev='vda'/></disk>
    <disk type='file' device='disk'><driver type='raw'/><source file='/v/data.raw'/><target dev='vdb'/></disk>
  </devices></domain>
</domainsnapshot>`;

/** One reading of `virsh snapshot-dumpxml` for the history and the revert plan alike. */
describe('snapshot XML', () => {
  it('reads the snapshot apart from the definition it recorded, names as the host wrote them', () => {
    const { snapshot, domain } = readSnapshotXml(`virsh said:\n${DOC}\n`);
    expect(snapshot?.name).toBe(' before upgrade ');
    expect(snapshot?.disks?.disk?.map((d) => d['@name'])).toEqual(['vda', 'vdb']);
    expect(domain).toMatch(/^<domain type='kvm'>[\s\S]*<\/domain>$/);
    expect(readSnapshotXml('no snapshot here')).toEqual({ snapshot: undefined, domain: null });
  });

  it('the history and the revert plan read the same document the same way', () => {
    expect(parseSnapshotXml(DOC)?.disks).toEqual([
      { target: 'vda', snapshot: 'external', file: '/v/web.s1.qcow2' },
      { target: 'vdb', snapshot: 'no', file: null },
    ]);
    expect([...frozenImages(DOC)]).toEqual([['vda', { file: '/v/web.qcow2', format: 'qcow2' }]]);
    expect(memoryImage(DOC)).toBe('/v/web.mem');
  });
});
