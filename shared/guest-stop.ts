import { z } from 'zod';

/**
 * Restoring over a domain that runs (Quiesce's revert, shared/revert.ts; an export restored over
 * the original, shared/export.ts) stops its guest first: through its agent, else ACPI, powered off
 * after `stopTimeoutS` only where the admin allows it, started again afterwards. What such a
 * request asks about the stop, and what its confirmation says about the guest, once for both.
 */

/** How the guest is stopped; whether a forced power-off is allowed unless asked differs by use. */
export function guestStopOptionsSchema(allowForceByDefault: boolean) {
  return z.object({
    /** The admin allows a forced power-off when the guest does not stop in time. */
    allowForce: z.boolean().default(allowForceByDefault),
    /** Seconds the guest gets to shut down (agent, then ACPI). */
    stopTimeoutS: z.number().int().min(1).max(3600).default(120),
  });
}

/** The guest's part of a confirmation: its state now, and whether it is stopped first. */
export const GuestStopPreviewSchema = z.object({
  /** `virsh domstate` now. */
  domainState: z.string(),
  /** The guest runs or is paused: it is shut down first and started again afterwards. */
  willStop: z.boolean(),
});
