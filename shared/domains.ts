import { z } from 'zod';

/**
 * libvirt's domain states, named as `virsh domstate` prints them. The index is libvirt's number
 * for the state (virDomainState), as `virsh domstats --state` prints it (`state.state=N`).
 */
export const DOMAIN_STATES = [
  'no state', // 0 VIR_DOMAIN_NOSTATE
  'running', // 1 VIR_DOMAIN_RUNNING
  'blocked', // 2 VIR_DOMAIN_BLOCKED
  'paused', // 3 VIR_DOMAIN_PAUSED
  'in shutdown', // 4 VIR_DOMAIN_SHUTDOWN
  'shut off', // 5 VIR_DOMAIN_SHUTOFF
  'crashed', // 6 VIR_DOMAIN_CRASHED
  'pmsuspended', // 7 VIR_DOMAIN_PMSUSPENDED
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
