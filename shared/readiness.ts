import { z } from 'zod';
import { DomainSchema, DomainUuidSchema } from './domains';
import { READINESS_LEVELS } from './vocabulary';
import { IsoTimeSchema } from './values';

export { READINESS_LEVELS };
export const ReadinessLevelSchema = z.enum(READINESS_LEVELS);
export type ReadinessLevel = z.infer<typeof ReadinessLevelSchema>;

/** A command as it ran on the host: what was run, what it said, how long it took. */
const RanCommandSchema = z.object({
  command: z.string(),
  output: z.string(),
  /** null when the host's clock could not time it */
  ms: z.number().nullable(),
});

/** One readiness check as it ran on the host. */
export const EvidenceSchema = RanCommandSchema.extend({ check: z.string(), ok: z.boolean() });
export type Evidence = z.infer<typeof EvidenceSchema>;

export const ReadinessSchema = z.object({
  level: ReadinessLevelSchema,
  /** Short badge text, e.g. "Agent not responding". */
  label: z.string(),
  /** Why, in one line, from the evidence. */
  detail: z.string(),
  /** What to do about it, when something can be done. */
  remedy: z.string().optional(),
  evidence: z.array(EvidenceSchema),
});
export type Readiness = z.infer<typeof ReadinessSchema>;

export const InventoryDomainSchema = DomainSchema.extend({ readiness: ReadinessSchema });
export type InventoryDomain = z.infer<typeof InventoryDomainSchema>;

/** One thing the host needs for consistent snapshots (a libvirt version, a tool), checked. */
export const PrerequisiteSchema = z.object({
  id: z.string(),
  /** What is needed, for people. */
  label: z.string(),
  ok: z.boolean(),
  /** What was found, e.g. "libvirt 9.0.0". */
  detail: z.string(),
  remedy: z.string().optional(),
});
export type Prerequisite = z.infer<typeof PrerequisiteSchema>;

/** One rung of the agent doctor, as it ran: the command, what it said, its time, the verdict. */
export const DoctorStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  verdict: z.enum(['pass', 'fail', 'warn', 'skip']),
  ...RanCommandSchema.shape,
  explanation: z.string(),
});
export type DoctorStep = z.infer<typeof DoctorStepSchema>;

export const GuestFilesystemSchema = z.object({
  mountpoint: z.string(),
  name: z.string(),
  type: z.string(),
  devices: z.array(z.string()),
  /** Why a freeze may not cover this filesystem as expected (loop device, FUSE…). */
  warning: z.string().optional(),
});
export type GuestFilesystem = z.infer<typeof GuestFilesystemSchema>;

export const DoctorReportSchema = z.object({
  /** The domain asked about (doctor.run's own domainRef), as it was asked. */
  uuid: DomainUuidSchema,
  name: z.string(),
  readiness: ReadinessSchema,
  steps: z.array(DoctorStepSchema),
  /** The channel XML to add, when the channel is missing. */
  channelXml: z.string().optional(),
  /** How to install the agent, for the guest's OS family when the agent could tell it. */
  install: z
    .object({ os: z.string(), family: z.string(), commands: z.array(z.string()) })
    .optional(),
  filesystems: z.array(GuestFilesystemSchema).optional(),
  /** Whether an fsfreeze hook (application-consistent freezes) is set up, when the agent can tell. */
  freezeHook: z.object({ known: z.boolean(), present: z.boolean(), detail: z.string() }).optional(),
  ranAt: IsoTimeSchema,
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
