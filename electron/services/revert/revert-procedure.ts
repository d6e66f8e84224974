import type { RevertTarget } from '../../../shared/revert';

/**
 * Who reverts: libvirt itself where it can, Quiesce's own procedure where it cannot.
 *
 * libvirt reverts external snapshots from 9.9 on (the qemu driver's external revert). It reverts
 * only to its own snapshots, so a discarded branch (Quiesce's record, no libvirt snapshot) is
 * always reverted by Quiesce. The version is the daemon's, as `virsh version` reports it
 * ("9.0.0"); anything unreadable counts as too old (Quiesce's procedure works on every version).
 */
export type RevertProcedure = 'libvirt' | 'quiesce';

/** The first libvirt that reverts external snapshots itself. */
export const LIBVIRT_EXTERNAL_REVERT = [9, 9, 0] as const;

/** "9.10.0" → [9, 10, 0]; null when it is not a version. */
export function parseLibvirtVersion(v: string): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

export function revertProcedure(libvirt: string, target: RevertTarget): RevertProcedure {
  if (target.kind !== 'snapshot') return 'quiesce';
  const v = parseLibvirtVersion(libvirt);
  if (!v) return 'quiesce';
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== LIBVIRT_EXTERNAL_REVERT[i])
      return v[i]! > LIBVIRT_EXTERNAL_REVERT[i]! ? 'libvirt' : 'quiesce';
  }
  return 'libvirt';
}
