import { describe, expect, it } from 'vitest';
import type { Capture, GatherOutput } from '../../electron/services/inventory/gather-output';
import {
  atLeast,
  judgePrerequisites,
  parseVersion,
  parseVirshVersion,
} from '../../electron/services/inventory/prerequisites';

const ok = (out: string): Capture => ({ rc: 0, ms: 5, out, err: '' });
const gathered = (captures: Record<string, Capture>, noVirsh = false): GatherOutput => ({
  noVirsh,
  captures: new Map(Object.entries(captures)),
});
const versionOut = (libvirt: string, hypervisor = 'QEMU 7.2.0') =>
  [
    `Compiled against library: libvirt ${libvirt}`,
    `Using library: libvirt ${libvirt}`,
    `Using API: QEMU ${libvirt}`,
    `Running hypervisor: ${hypervisor}`,
    `Running against daemon: ${libvirt}`,
  ].join('\n');
const judge = (libvirt: string, hypervisor?: string) =>
  Object.fromEntries(
    judgePrerequisites(
      gathered({ 'virsh-version': ok('9.0.0\n'), version: ok(versionOut(libvirt, hypervisor)) }),
      'qemu:///system',
    ).map((p) => [p.id, p]),
  );

describe('versions', () => {
  it('reads and compares libvirt versions', () => {
    expect(parseVersion('libvirt 9.0.0')).toEqual([9, 0, 0]);
    expect(parseVersion('10.1')).toEqual([10, 1, 0]);
    expect(parseVersion('none')).toBeUndefined();
    expect(atLeast([9, 9, 0], [9, 9, 0])).toBe(true);
    expect(atLeast([10, 0, 0], [9, 9, 0])).toBe(true);
    expect(atLeast([9, 8, 99], [9, 9, 0])).toBe(false);
    expect(atLeast(undefined, [1, 2, 5])).toBe(false);
    expect(parseVirshVersion(versionOut('9.0.0')).get('Running hypervisor')).toBe('QEMU 7.2.0');
  });
});

describe('the host’s prerequisites', () => {
  it('on libvirt 9.0 with QEMU: snapshots and delete, not revert (with the way around it)', () => {
    const p = judge('9.0.0');
    expect(p['virsh']).toMatchObject({ ok: true, detail: 'virsh 9.0.0' });
    expect(p['access']).toMatchObject({ ok: true });
    expect(p['libvirt-version']).toEqual({
      id: 'libvirt-version',
      label: 'libvirt ≥ 1.2.5',
      ok: true,
      detail: 'libvirt 9.0.0',
    });
    expect(p['hypervisor']).toMatchObject({ ok: true, detail: 'QEMU 7.2.0' });
    expect(p['external-delete']).toEqual({
      id: 'external-delete',
      label: 'Delete external snapshots (libvirt ≥ 9.0)',
      ok: true,
      detail: 'supported',
    });
    expect(p['external-revert']).toMatchObject({
      ok: false,
      detail: 'not before libvirt 9.9 (host has 9.0.0)',
      remedy: expect.stringMatching(/manual procedure/),
    });
  });

  it('on an old libvirt: says what is missing and what to do about each', () => {
    const p = judge('1.2.0');
    expect(p['libvirt-version']).toMatchObject({
      ok: false,
      remedy: expect.stringMatching(/1\.2\.5/),
    });
    expect(p['external-delete']).toMatchObject({
      ok: false,
      detail: 'not before libvirt 9.0 (host has 1.2.0)',
      remedy: expect.stringMatching(/blockcommit/),
    });
  });

  it('tells the test driver from a hypervisor Quiesce cannot use', () => {
    expect(judge('9.9.0', 'TEST').hypervisor).toMatchObject({
      ok: false,
      remedy: expect.stringMatching(/test driver/),
    });
    expect(judge('9.9.0', 'Xen 4.17').hypervisor).toMatchObject({
      ok: false,
      remedy: expect.stringMatching(/QEMU\/KVM/),
    });
    expect(judge('9.9.0')['external-revert']).toMatchObject({ ok: true, detail: 'supported' });
  });

  it('stops at what blocks everything else: no virsh, or no access to the URI', () => {
    expect(judgePrerequisites(gathered({}, true), 'qemu:///system')).toEqual([
      expect.objectContaining({
        id: 'virsh',
        ok: false,
        remedy: expect.stringMatching(/libvirt-clients/),
      }),
    ]);
    const denied = judgePrerequisites(
      gathered({
        'virsh-version': ok('9.0.0'),
        version: {
          rc: 1,
          ms: 5,
          out: '',
          err: 'error: Failed to connect socket: Permission denied',
        },
      }),
      'qemu:///system',
    );
    expect(denied.map((p) => [p.id, p.ok])).toEqual([
      ['virsh', true],
      ['access', false],
    ]);
    expect(denied[1]!.remedy).toMatch(/libvirt group/);
  });
});
