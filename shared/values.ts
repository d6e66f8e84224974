import { z } from 'zod';

/**
 * The values the contract's fields say many times over, each once with its rule. What produces
 * them: the host scripts (electron/services/host-scripts/*.sh: shell arithmetic, `df`, `date -u`),
 * libvirt and qemu-img, and main's own `new Date(…).toISOString()`. Domain UUIDs are
 * DomainUuidSchema (shared/domains.ts), operation ids OperationIdSchema (shared/refs.ts).
 */

/**
 * A size or an amount of bytes (an image, what was copied, what an export needs): whole and
 * never negative. Not zod's `.int()`, which stops at 2^53: a count read from a host's JSON may pass
 * it as a float (still whole). Free room is not one: `df` gives a negative Avail on a filesystem
 * filled past its reserve.
 */
export const ByteCountSchema = z
  .number()
  .nonnegative()
  .refine(Number.isInteger, 'Not a whole number of bytes');

/**
 * An instant as ISO-8601 text: main's `toISOString()` (milliseconds, `Z`) and the hosts'
 * `date -u +%Y-%m-%dT%H:%M:%SZ` (whole seconds), or with an offset (`+01:00`).
 */
export const IsoTimeSchema = z.iso.datetime({ offset: true });

/**
 * An instant as whole seconds since the epoch, on a host's clock: what `date +%s` prints (the
 * schedule job's run start and end, schedule-job.sh), and marks built from those (the alerts seen
 * up to, schedule.markSeen). Whole and never negative.
 */
export const EpochSecondsSchema = z.number().int().nonnegative();

/**
 * A span of time in milliseconds that a host measured on its monotonic clock (the blocked-write
 * window): never negative, tenths allowed (snapshot/journal.ts's windowMs).
 */
export const DurationMsSchema = z.number().nonnegative();
