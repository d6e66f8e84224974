import type { MethodInput } from '../../shared/contract';
import type { AppErrorShape } from '../../shared/errors';
import {
  MaxFreezeSchema,
  SnapshotDescriptionSchema,
  SnapshotNameSchema,
  type QuiescePolicy,
} from '../../shared/snapshot';

/** The dialog's fields as typed (the maximum freeze stays text until it is checked). */
export interface SnapshotFields {
  name: string;
  description: string;
  policy: QuiescePolicy;
  maxFreeze: string;
  remember: boolean;
  /** Test restore this snapshot once taken; remembered as the domain's choice with `remember`. */
  testRestore?: boolean;
  /** A full checkpoint: the guest's memory with its disks (paused guests only, docs/restore.md). */
  memory?: boolean;
}

/**
 * A paused guest is offered a full checkpoint, ticked: without its memory, its disk-only
 * snapshot is only crash-consistent (the unwritten data and the journal are in its memory).
 */
export function checkpointOffered(level: string): boolean {
  return level === 'paused';
}

export type SnapshotField = 'name' | 'description' | 'maxFreeze';
export type SnapshotFieldErrors = Partial<Record<SnapshotField, string>>;

const two = (n: number) => String(n).padStart(2, '0');

/** "quiesce-20250307-143012": the workstation's local time, sortable, and a valid name. */
export function defaultSnapshotName(at: Date): string {
  const date = `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}`;
  const time = `${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
  return `quiesce-${date}-${time}`;
}

export const MAX_FREEZE_MESSAGE = 'Use a whole number of seconds from 1 to 120';

/**
 * Checks the fields with the contract's own schemas, so a bad value is explained next to its
 * field before anything is sent. Main checks again (and says the same).
 */
export function validateSnapshot(
  fields: SnapshotFields,
  target: { hostId: string; uuid: string },
): { input: MethodInput<'snapshot.start'> } | { errors: SnapshotFieldErrors } {
  const errors: SnapshotFieldErrors = {};
  const name = SnapshotNameSchema.safeParse(fields.name);
  if (!name.success) errors.name = name.error.issues[0]?.message ?? 'Invalid name';
  const description = SnapshotDescriptionSchema.safeParse(fields.description);
  if (!description.success) {
    errors.description = description.error.issues[0]?.message ?? 'Invalid description';
  }
  const text = fields.maxFreeze.trim();
  const maxFreezeS = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!MaxFreezeSchema.safeParse(maxFreezeS).success) errors.maxFreeze = MAX_FREEZE_MESSAGE;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      ...target,
      name: fields.name,
      description: fields.description,
      policy: fields.policy,
      maxFreezeS,
      remember: fields.remember,
      testRestore: fields.testRestore ?? false,
      ...(fields.memory ? { memory: true } : {}),
    },
  };
}

const FIELD_OF_PATH: Record<string, SnapshotField> = {
  name: 'name',
  description: 'description',
  maxFreezeS: 'maxFreeze',
};

/** Main's invalid-input errors name the failing field in their cause ("name: …"). */
export function fieldErrorsFromRemote(error: AppErrorShape): SnapshotFieldErrors | undefined {
  if (error.code !== 'invalid-input' || !error.cause) return undefined;
  const match = /^(\w+): (.*)$/s.exec(error.cause);
  const field = match ? FIELD_OF_PATH[match[1]!] : undefined;
  return field ? { [field]: match![2]! } : undefined;
}
