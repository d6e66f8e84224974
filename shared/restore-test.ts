import { z } from 'zod';
import { OperationStateSchema, PhaseStatusSchema } from './operation-state';
import { IsoTimeSchema } from './values';

/** A restore test's outcome: a disposable clone of a snapshot booted, and what its agent saw. */
export const RestoreTestResultSchema = z.object({
  opId: z.string(),
  /** The snapshot tested (null for a test started before the host kept it). */
  snapshot: z.string().nullable(),
  /** When it started (ISO 8601, the host's clock), if its journal says. */
  startedAt: IsoTimeSchema.nullable(),
  state: OperationStateSchema,
  /** The clone's domain name on the host, once the test started. */
  clone: z.string().nullable(),
  /** Each phase line as restore-test.sh wrote it, in order ("" where it said nothing more). */
  phases: z.array(z.object({ phase: z.string(), status: PhaseStatusSchema, detail: z.string() })),
  /** Booted and the agent answered with the filesystems; null while running. */
  restorable: z.boolean().nullable(),
  bootS: z.number().nullable(),
  filesystems: z.array(z.object({ name: z.string(), mountpoint: z.string(), type: z.string() })),
  /** A filesystem needed journal recovery at mount (the kernel said so); null: not known. */
  recovery: z.boolean().nullable(),
  /** The agent's fsinfo and the kernel's lines about the mounts, as they were. */
  evidence: z.string(),
  message: z.string().nullable(),
  /** The clone was destroyed and its overlays removed. */
  cloneGone: z.boolean().nullable(),
});
export type RestoreTestResult = z.infer<typeof RestoreTestResultSchema>;

/** A domain's restore tests as the host kept them (beside their journals), newest first. */
export const RestoreTestListSchema = z.object({ results: z.array(RestoreTestResultSchema) });
