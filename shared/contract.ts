import { z } from 'zod';
import {
  ConnectResultSchema,
  ConnectionStateSchema,
  HostDraftSchema,
  HostIdSchema,
  HostKeyTrustSchema,
  HostProfileSchema,
} from './hosts';
import { DomainUuidSchema } from './domains';
import { DoctorReportSchema, InventoryDomainSchema, PrerequisiteSchema } from './readiness';
import type { MethodName } from './methods';

const hostRef = z.object({ hostId: HostIdSchema });
/** Domains are addressed by UUID, never by name (DESIGN rule 4). */
const domainRef = hostRef.extend({ uuid: DomainUuidSchema });

/**
 * One schema pair per method. Inputs are validated in main before any handler runs; outputs are
 * validated before they leave main, so the renderer can trust the types.
 */
export const contract = {
  'hosts.list': { input: z.object({}), output: z.array(HostProfileSchema) },
  'hosts.save': {
    input: HostDraftSchema.extend({ id: HostIdSchema.optional() }),
    output: HostProfileSchema,
  },
  'hosts.remove': { input: hostRef, output: z.object({}) },
  'hosts.connect': {
    input: hostRef.extend({
      /** Asked for by the UI when the key file is encrypted; kept in memory only. */
      passphrase: z.string().max(1024).optional(),
      trust: HostKeyTrustSchema.optional(),
    }),
    output: ConnectResultSchema,
  },
  'hosts.disconnect': { input: hostRef, output: z.object({}) },
  'hosts.status': {
    input: z.object({}),
    output: z.array(z.object({ hostId: HostIdSchema, state: ConnectionStateSchema })),
  },
  /** The host's inventory: every domain with its readiness, and the host's prerequisites. */
  'domains.list': {
    input: hostRef,
    output: z.object({
      domains: z.array(InventoryDomainSchema),
      prerequisites: z.array(PrerequisiteSchema),
      fetchedAt: z.string(),
      roundTrips: z.number().int(),
      ms: z.number(),
    }),
  },
  'domains.thaw': { input: domainRef, output: z.object({ thawed: z.number().int() }) },
  'doctor.run': { input: domainRef, output: DoctorReportSchema },
  'doctor.addChannel': { input: domainRef, output: z.object({ restartNeeded: z.boolean() }) },
} satisfies Record<MethodName, { input: z.ZodType; output: z.ZodType }>;

// Compile-time check that METHOD_NAMES lists exactly the contract's methods.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameMethods: Exact<keyof typeof contract, MethodName> = true;
void _sameMethods;

export type Contract = typeof contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

/** What a transport returns for one call: the output, or an error meant for people. */
export { AppErrorSchema } from './errors';
export type { MethodName } from './methods';
