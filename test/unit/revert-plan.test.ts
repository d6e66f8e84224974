import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import {
  branchRecord,
  fileDisks,
  frozenImages,
  laterSnapshots,
  overlayPath,
  planText,
  pointDisksAt,
  revertDisks,
} from '../../electron/services/revert/revert-plan';
import { readBranches } from '../../electron/services/revert/branches';
import { readRevertLines, summarizeRevert } from '../../electron/services/revert/revert-journal';

/** A persistent definition as libvirt 9.0 prints it after an external snapshot (backingStore kept). */
const DIR = "/var/lib/libvirt/images/o'brien & co";
const definition = (top: string) => `<domain type='kvm'>
  <name>web</name>
  <uuid>566becf2-59d2-42dd-a88d-116e0c33641a</uuid>
  <description>a &lt;b&gt; &amp; &apos;c&apos;</description>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='none' discard='unmap'/>
      <source file='${top.replace(/&/g, '&amp;').replace(/'/g, '&apos;')}'/>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='${DIR.replace(/&/g, '&amp;').replace(/'/g, '&apos;')}/data.qcow2'/>
      </backingStore>
      <target dev='vda' bus='virtio'/>
      <serial>disk-1</serial>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/iso/debian.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <graphics type='vnc' port='-1' autoport='yes' passwd='s3cret'/>
  </devices>
</domain>
`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&apos;');
const snapshotXml = `<domainsnapshot>
  <name>before upgrade</name>
  <state>disk-snapshot</state>
  <parent><name>older</name></parent>
  <memory snapshot='no'/>
  <disks>
    <disk name='vda' snapshot='external' type='file'>
      <driver type='qcow2'/>
      <source file='${esc(DIR)}/data.before upgrade.qcow2'/>
    </disk>
    <disk name='sda' snapshot='no'/>
  </disks>
  ${definition(`${DIR}/data.older.qcow2`)}</domainsnapshot>`;

describe('the revert plan', () => {
  it('takes each covered disk back to the image that was its top at the cut', () => {
    const frozen = frozenImages(snapshotXml);
    expect([...frozen]).toEqual([['vda', { file: `${DIR}/data.older.qcow2`, format: 'qcow2' }]]);
  });

  it('refuses a snapshot that recorded no domain', () => {
    expect(() => frozenImages('<domainsnapshot><name>x</name></domainsnapshot>')).toThrow(
      /does not record/,
    );
  });

  it('puts the new overlay next to the current disk, named after the revert', () => {
    expect(overlayPath(`${DIR}/data.before upgrade.qcow2`, '20261201T040000Z-0123abcd')).toBe(
      `${DIR}/data.revert-20261201T040000Z-0123abcd.qcow2`,
    );
  });

  it('points only the planned disk at its overlay, drops its stale backing chain, keeps everything else', () => {
    const before = definition(`${DIR}/data.later.qcow2`);
    const disks = revertDisks(before, frozenImages(snapshotXml), 'OP');
    expect(disks).toEqual([
      {
        target: 'vda',
        frozen: `${DIR}/data.older.qcow2`,
        format: 'qcow2',
        current: `${DIR}/data.later.qcow2`,
        overlay: `${DIR}/data.revert-OP.qcow2`,
      },
    ]);
    const after = pointDisksAt(before, disks);
    expect(fileDisks(after).get('vda')).toEqual({
      file: `${DIR}/data.revert-OP.qcow2`,
      format: 'qcow2',
    });
    expect(fileDisks(after).get('sda')).toBeUndefined(); // a cdrom is not a disk to revert
    expect(after).toContain('/iso/debian.iso');
    expect(after).not.toContain('backingStore');
    const parse = (x: string) =>
      new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(x) as {
        domain: {
          description: string;
          devices: { graphics: Record<string, string>; disk: unknown[] };
        };
      };
    const a = parse(after);
    const b = parse(before);
    // the secret, the description's escapes, the driver options, serial and address survive
    expect(a.domain.devices.graphics).toEqual(b.domain.devices.graphics);
    expect(a.domain.description).toBe(b.domain.description);
    expect(after).toMatch(/cache="none"/);
    expect(after).toMatch(/<serial>disk-1<\/serial>/);
    expect(after).toMatch(/slot="0x03"/);
  });

  it('fails rather than define a definition that lacks a planned disk', () => {
    expect(() =>
      pointDisksAt(definition('/x.qcow2'), [
        { target: 'vdb', frozen: '/a', format: 'qcow2', current: '/b', overlay: '/c' },
      ]),
    ).toThrow(/no disk vdb/);
  });

  it('writes the plan with paths in base64 and refuses a target that is not a plain name', () => {
    const text = planText([
      { target: 'vda', frozen: `${DIR}/a\tb`, format: 'qcow2', current: '/c', overlay: '/o\n' },
    ]);
    const [t, f, fr, ov] = text.trimEnd().split('\t');
    expect([t, f]).toEqual(['vda', 'qcow2']);
    expect(Buffer.from(fr!, 'base64').toString()).toBe(`${DIR}/a\tb`);
    expect(Buffer.from(ov!, 'base64').toString()).toBe('/o\n');
    expect(() =>
      planText([{ target: 'vd a', frozen: '/a', format: 'qcow2', current: '/c', overlay: '/o' }]),
    ).toThrow(/plain name/);
    expect(() =>
      planText([{ target: 'vda', frozen: '/a', format: 'vmdk', current: '/c', overlay: '/o' }]),
    ).toThrow(/qcow2 or raw/);
  });

  it('lists the snapshots the guest leaves: from the current one up to the target', () => {
    const s = [
      { name: 'A', parent: null },
      { name: 'B', parent: 'A' },
      { name: 'C', parent: 'B' },
      { name: 'X', parent: 'A' },
    ];
    expect(laterSnapshots(s, 'C', 'A')).toEqual(['B', 'C']);
    expect(laterSnapshots(s, 'A', 'A')).toEqual([]);
    expect(laterSnapshots(s, null, 'A')).toEqual([]);
  });
});

describe('branches', () => {
  const rec = (id: string, top: string) =>
    JSON.parse(
      branchRecord(
        id,
        'u',
        { kind: 'snapshot', name: 'A' },
        'B',
        [{ target: 'vda', frozen: '/f', format: 'qcow2', current: top, overlay: '/o' }],
        ['B'],
      ),
    ) as Record<string, unknown>;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it('reads records, sizes and deletions as branches-list.sh prints them, newest first', () => {
    const out = [
      JSON.stringify({ rt: 1764561600000000000, ...rec('1-aaaaaaaa', '/d/data.B.qcow2') }),
      JSON.stringify({ rt: 1764561700000000000, ...rec('2-bbbbbbbb', '/d/data.revert-1.qcow2') }),
      JSON.stringify({ rt: 1764561800000000000, ...rec('3-cccccccc', '/d/gone.qcow2') }),
      JSON.stringify({
        ev: 'deleted',
        id: '2-bbbbbbbb',
        rt: 1,
        removed: [b64('/d/data.revert-1.qcow2')],
      }),
      'not json',
      '@@size',
      `${b64('/d/data.B.qcow2')} 1280 512`,
      `${b64('/d/data.revert-1.qcow2')} missing`,
      `${b64('/d/gone.qcow2')} missing`,
      '',
    ].join('\n');
    const branches = readBranches(out);
    expect(branches.map((b) => [b.id, b.sizeBytes, b.intact, b.deleted])).toEqual([
      ['3-cccccccc', null, false, false],
      ['2-bbbbbbbb', 0, false, true],
      ['1-aaaaaaaa', 655360, true, false],
    ]);
    expect(branches[2]).toMatchObject({
      from: 'B',
      snapshots: ['B'],
      revertedTo: { kind: 'snapshot', name: 'A' },
      disks: [{ target: 'vda', top: '/d/data.B.qcow2' }],
    });
  });
});

describe('the revert journal', () => {
  const line = (o: Record<string, unknown>) => JSON.stringify({ op: 'x', mono: 1, ...o });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it('folds phases, progress and the outcome; a dead runner without a result is lost', () => {
    const text = [
      line({
        ev: 'start',
        kind: 'revert',
        uuid: 'u',
        targetKind: 'snapshot',
        target: b64('A'),
        pid: 7,
        allowForce: 0,
        stopTimeoutS: 60,
        workstation: '',
        user: '',
      }),
      line({ ev: 'phase', phase: 'stop', status: 'running' }),
      line({
        ev: 'progress',
        phase: 'stop',
        b64: b64('waiting for the guest to stop: 5 s of 60 s'),
      }),
    ];
    const running = summarizeRevert('x', readRevertLines(text.join('\n')), false);
    expect(running).toMatchObject({
      state: 'running',
      progress: 'waiting for the guest to stop: 5 s of 60 s',
    });
    expect(summarizeRevert('x', readRevertLines(text.join('\n')), true).state).toBe('lost');
    const done = [
      ...text,
      line({ ev: 'phase', phase: 'stop', status: 'failed', b64: b64('did not stop') }),
      line({
        ev: 'result',
        ok: false,
        failedPhase: 'stop',
        b64: b64('did not stop'),
        outcome: 'rolled-back',
      }),
      line({ ev: 'end' }) + line({ ev: 'end' }).slice(0, 5), // a torn tail costs only itself
    ].join('\n');
    expect(summarizeRevert('x', readRevertLines(done), true)).toMatchObject({
      state: 'failed',
      failedPhase: 'stop',
      outcome: 'rolled-back',
      message: 'did not stop',
      phases: [{ phase: 'stop', status: 'failed', detail: 'did not stop' }],
    });
  });
});

describe('the restore-test clone', () => {
  it('is the domain on its own overlays, renamed, with nothing it could share or send', async () => {
    const { cloneXml } = await import('../../electron/services/revert/restore-test-plan');
    const before = definition(`${DIR}/data.later.qcow2`).replace(
      '<graphics',
      `<interface type='network'><source network='default'/></interface>
    <disk type='file' device='disk'><source file='/shared/scratch.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    <serial type='file'><source path='/var/log/web.console'/><target port='0'/></serial>
    <channel type='unix'><source mode='bind' path='/run/web.agent'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <graphics`,
    );
    const disks = revertDisks(before, frozenImages(snapshotXml), 'OP').map((d) => ({
      ...d,
      overlay: d.overlay.replace('.revert-', '.restoretest-'),
    }));
    const xml = cloneXml(
      before,
      disks,
      'web-restoretest-1',
      '11111111-2222-4333-8444-555555555555',
    );
    expect(xml).toMatch(/<name>web-restoretest-1<\/name>/);
    expect(xml).toMatch(/<uuid>11111111-2222-4333-8444-555555555555<\/uuid>/);
    expect(xml).not.toContain('566becf2');
    expect(fileDisks(xml).get('vda')?.file).toBe(`${DIR}/data.restoretest-OP.qcow2`);
    expect(xml).not.toContain('/shared/scratch.qcow2'); // a writable disk the snapshot did not cover
    expect(xml).toContain('/iso/debian.iso'); // read-only: kept
    for (const gone of [
      '<interface',
      '<serial type',
      '<graphics',
      '/run/web.agent',
      'backingStore',
    ])
      expect(xml).not.toContain(gone);
    expect(xml).toContain('org.qemu.guest_agent.0'); // the agent channel stays, its path libvirt's
  });
});
