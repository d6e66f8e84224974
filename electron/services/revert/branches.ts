import { z } from 'zod';
import { RevertTargetSchema, type Branch } from '../../../shared/revert';

/**
 * The records of HOSTDIR/branches/UUID.jsonl: a `branch` line when a revert switched the domain
 * away from a state (revert-runner.sh appends branch.json, written by revert-plan.ts), a
 * `deleted` line when its files were deleted (branch-delete.sh). Paths are base64.
 */
const b64 = z.string().regex(/^[A-Za-z0-9+/=]*$/);
export const BranchLineSchema = z.discriminatedUnion('ev', [
  z.object({
    ev: z.literal('branch'),
    rt: z.number().nonnegative(),
    id: z.string(),
    uuid: z.string(),
    revertedTo: RevertTargetSchema,
    from: z.string().nullable(),
    disks: z.array(z.object({ target: z.string(), top: b64, format: z.string() })),
    snapshots: z.array(z.string()),
  }),
  z.object({
    ev: z.literal('deleted'),
    rt: z.number().nonnegative(),
    id: z.string(),
    removed: z.array(b64),
  }),
]);

const decode = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** branches-list.sh's output → the branches, newest first. Pure. */
export function readBranches(stdout: string): Branch[] {
  const [records = '', sizes = ''] = stdout.split(/^@@size$/m);
  const sizeOf = new Map<string, number | 'missing' | null>();
  for (const line of sizes.split('\n')) {
    const [file, a, b] = line.trim().split(' ');
    if (!file) continue;
    if (a === 'missing') sizeOf.set(file, 'missing');
    else if (a && b && /^\d+$/.test(a) && /^\d+$/.test(b)) sizeOf.set(file, Number(a) * Number(b));
    else sizeOf.set(file, null);
  }
  const branches = new Map<string, Branch>();
  for (const line of records.split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    const r = BranchLineSchema.safeParse(raw);
    if (!r.success) continue;
    const l = r.data;
    if (l.ev === 'deleted') {
      const b = branches.get(l.id);
      if (b) branches.set(l.id, { ...b, deleted: true, intact: false, sizeBytes: 0 });
      continue;
    }
    const sizes = l.disks.map((d) => sizeOf.get(d.top));
    branches.set(l.id, {
      id: l.id,
      createdAt: new Date(l.rt / 1e6).toISOString(),
      revertedTo: l.revertedTo,
      from: l.from,
      disks: l.disks.map((d) => ({ target: d.target, top: decode(d.top), format: d.format })),
      snapshots: l.snapshots,
      sizeBytes: sizes.every((s) => typeof s === 'number')
        ? (sizes as number[]).reduce((a, b) => a + b, 0)
        : null,
      intact: sizes.every((s) => s !== 'missing'),
      deleted: false,
    });
  }
  return [...branches.values()].reverse();
}
