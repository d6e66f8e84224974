import type { ExportManifest } from '../../shared/export';

/**
 * A quiesced incremental export's manifest for tests of the restores: one qcow2 image a target,
 * each `TARGET.qcow2` in the export, from `SOURCE_FOLDER/TARGET.qcow2` on the host.
 */
export function testManifest(opts: {
  exportId: string;
  uuid: string;
  name: string;
  xml: string;
  targets?: string[];
  sourceFolder?: string;
}): ExportManifest {
  const { exportId, targets = ['vda'], sourceFolder = '/var/lib/libvirt/images' } = opts;
  return {
    format: 'quiesce-export/1',
    exportId,
    domain: { uuid: opts.uuid, name: opts.name, xml: opts.xml },
    mode: 'incremental',
    fullReason: null,
    parent: null,
    incrementalFrom: null,
    checkpoint: `quiesce-${exportId}`,
    consistency: { label: 'quiesced', filesystems: 1 },
    disks: targets.map((target) => ({
      target,
      file: `${target}.qcow2`,
      format: 'qcow2',
      virtualSize: 1 << 20,
      sha256: '0'.repeat(64),
      backing: null,
      source: `${sourceFolder}/${target}.qcow2`,
    })),
    bytesCopied: 0,
    createdBy: { workstation: 'w', user: 'u', hostUser: 'h', host: 'x' },
    createdAt: '2026-12-01T00:00:00Z',
  };
}
