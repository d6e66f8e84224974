import { z } from 'zod';

/** libvirt's domain states (virDomainState), named as `virsh domstate` prints them. */
export const DOMAIN_STATES = [
  'no state',
  'running',
  'blocked',
  'paused',
  'in shutdown',
  'shut off',
  'crashed',
  'pmsuspended',
] as const;
export const DomainStateSchema = z.enum(DOMAIN_STATES);
export type DomainState = z.infer<typeof DomainStateSchema>;

export const DomainUuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'Not a domain UUID');

export const DomainSchema = z.object({
  /**
   * Domains are addressed by UUID everywhere (docs/ARCHITECTURE.md, "Quoted arguments"); the name
   * is for people.
   */
  uuid: DomainUuidSchema,
  name: z.string(),
  state: DomainStateSchema,
});
export type Domain = z.infer<typeof DomainSchema>;
