import type { Prerequisite } from '../../../shared/readiness';
import { explainVirshFailure } from '../virsh/virsh-errors';
import type { GatherOutput } from './gather-output';

export type Version = [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function atLeast(v: Version | undefined, min: Version): boolean {
  if (!v) return false;
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== min[i]!) return v[i]! > min[i]!;
  }
  return true;
}

const fmt = (v: Version | undefined) => (v ? v.join('.') : 'unknown');

/** What `virsh version` says, line by line ("Using library: libvirt 9.0.0" → key/value). */
export function parseVirshVersion(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) m.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return m;
}

export const MIN_LIBVIRT: Version = [1, 2, 5]; // fsfreeze/thaw through the agent
export const EXTERNAL_DELETE: Version = [9, 0, 0];
export const EXTERNAL_REVERT: Version = [9, 9, 0];

/** The host's prerequisites for consistent snapshots, each with its remedy when it fails. */
export function judgePrerequisites(g: GatherOutput, uri: string): Prerequisite[] {
  if (g.noVirsh) {
    return [
      {
        id: 'virsh',
        label: 'virsh installed',
        ok: false,
        detail: 'virsh was not found on the host',
        remedy:
          'Install libvirt’s client tools on the host (Debian/Ubuntu: apt install libvirt-clients).',
      },
    ];
  }
  const out: Prerequisite[] = [];
  const vv = g.captures.get('virsh-version');
  out.push({
    id: 'virsh',
    label: 'virsh installed',
    ok: vv?.rc === 0,
    detail: `virsh ${vv?.out.trim() ?? '?'}`,
  });

  const ver = g.captures.get('version');
  if (!ver || ver.rc !== 0) {
    const e = explainVirshFailure(ver?.err ?? '', uri, ver?.rc ?? null).toShape();
    out.push({
      id: 'access',
      label: `Access to ${uri}`,
      ok: false,
      detail: e.message,
      ...(e.remedy ? { remedy: e.remedy } : {}),
    });
    return out;
  }
  out.push({
    id: 'access',
    label: `Access to ${uri}`,
    ok: true,
    detail: 'the SSH user may use it',
  });

  const info = parseVirshVersion(ver.out);
  const daemon = parseVersion(
    info.get('Running against daemon') ?? info.get('Using library') ?? '',
  );
  const libvirtOk = atLeast(daemon, MIN_LIBVIRT);
  out.push(
    judged(
      'libvirt-version',
      'libvirt ≥ 1.2.5',
      libvirtOk,
      `libvirt ${fmt(daemon)}`,
      'Upgrade libvirt on the host: guest-agent freeze needs 1.2.5 or later.',
    ),
  );
  const hv = info.get('Running hypervisor') ?? info.get('Using API') ?? 'unknown';
  const isQemu = /^QEMU\b/i.test(hv) || /^KVM\b/i.test(hv);
  out.push(
    judged(
      'hypervisor',
      'Hypervisor is QEMU/KVM',
      isQemu,
      hv,
      /^TEST/i.test(hv)
        ? 'This is libvirt’s test driver: fine for trying Quiesce, no real guests.'
        : 'Quiesce needs the QEMU/KVM driver (qemu:///system).',
    ),
  );
  out.push(
    since(
      'external-delete',
      'Delete external snapshots (libvirt ≥ 9.0)',
      daemon,
      EXTERNAL_DELETE,
      'Snapshots can still be taken; merging them away needs blockcommit by hand, or libvirt 9.0+.',
    ),
  );
  out.push(
    since(
      'external-revert',
      'Revert to external snapshots (libvirt ≥ 9.9)',
      daemon,
      EXTERNAL_REVERT,
      'Snapshots can still be taken; reverting is a manual procedure on this libvirt (the history explains it).',
    ),
  );
  return out;
}

/** A prerequisite found met or not; the remedy is shown only when it is not. */
function judged(id: string, label: string, ok: boolean, detail: string, remedy: string) {
  return { id, label, ok, detail, ...(ok ? {} : { remedy }) };
}

/** A feature libvirt has from version `min` on. */
function since(
  id: string,
  label: string,
  daemon: Version | undefined,
  min: Version,
  remedy: string,
): Prerequisite {
  const ok = atLeast(daemon, min);
  const detail = ok
    ? 'supported'
    : `not before libvirt ${min[0]}.${min[1]} (host has ${fmt(daemon)})`;
  return judged(id, label, ok, detail, remedy);
}
