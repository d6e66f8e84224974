import type { MethodInput, MethodOutput } from '../../shared/contract';
import { MaxFreezeSchema, type QuiescePolicy } from '../../shared/snapshot';
import { SettingsInputSchema, type Settings } from '../../shared/settings';

/** The Settings dialog's fields as typed (text fields stay text until checked). */
export interface SettingsDraft {
  dataDir: string;
  knownHostsPath: string;
  policy: QuiescePolicy;
  maxFreeze: string;
  operationEnd: boolean;
}
export type SettingsField = 'dataDir' | 'knownHostsPath' | 'maxFreeze';
export type SettingsErrors = Partial<Record<SettingsField, string>>;

export function draftFromSettings(s: Settings): SettingsDraft {
  return {
    dataDir: s.dataDir ?? '',
    knownHostsPath: s.knownHostsPath ?? '',
    policy: s.snapshot.policy,
    maxFreeze: String(s.snapshot.maxFreezeS),
    operationEnd: s.notifications.operationEnd,
  };
}

const MAX_FREEZE_MESSAGE = 'Give a whole number of seconds from 1 to 120';

/**
 * The draft checked by the same schema main applies: an empty path means "the default"; each
 * field's error is said next to it.
 */
export function validateSettingsDraft(
  d: SettingsDraft,
): { input: MethodInput<'settings.set'> } | { errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const text = d.maxFreeze.trim();
  const maxFreezeS = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!MaxFreezeSchema.safeParse(maxFreezeS).success) errors.maxFreeze = MAX_FREEZE_MESSAGE;
  const candidate = {
    dataDir: d.dataDir.trim() || null,
    knownHostsPath: d.knownHostsPath.trim() || null,
    snapshot: { policy: d.policy, maxFreezeS: errors.maxFreeze ? 10 : maxFreezeS },
    notifications: { operationEnd: d.operationEnd },
  };
  const parsed = SettingsInputSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === 'dataDir' || field === 'knownHostsPath') && !errors[field]) {
        errors[field] = issue.message;
      }
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { input: candidate };
}

export type SettingsAnswer = MethodOutput<'settings.get'>;
