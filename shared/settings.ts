import { z } from 'zod';
import { MaxFreezeSchema, QuiescePolicySchema } from './snapshot';

/**
 * The app's settings, in one file with a version number. Each change of shape gets a new
 * version and a step in `migrateSettings`, so a file written by an older Quiesce is carried
 * forward instead of being thrown away.
 *
 * Version 1 held the snapshot defaults at the top level and notifications as one on/off switch;
 * version 2 groups the snapshot defaults and names each notification.
 */
export const SETTINGS_VERSION = 2;

/** A path the admin typed: absolute (no `~`, no relative path that depends on where the app started). */
const PathSettingSchema = z
  .string()
  .trim()
  .max(4096, 'Keep the path under 4096 characters')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'Give a full path (starting with / or a drive letter)',
  })
  .refine((p) => !p.includes('\0'), { message: 'The path contains a NUL character' });

export const SnapshotSettingsSchema = z.object({
  /** The policy a snapshot dialog starts from for a domain with nothing remembered. */
  policy: QuiescePolicySchema,
  /** The maximum freeze (watchdog) a dialog starts from, in seconds. */
  maxFreezeS: MaxFreezeSchema,
});

export const NotificationSettingsSchema = z.object({
  /** A desktop notification when an operation ends while the window is not in front. */
  operationEnd: z.boolean(),
});

export const SettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  /** Where host profiles and remembered choices live; null: the app's own folder. */
  dataDir: PathSettingSchema.nullable(),
  /** The known_hosts file host keys are checked against; null: ~/.ssh/known_hosts. */
  knownHostsPath: PathSettingSchema.nullable(),
  snapshot: SnapshotSettingsSchema,
  notifications: NotificationSettingsSchema,
});
export type Settings = z.infer<typeof SettingsSchema>;

/** What the settings are before anyone changes them (and what every earlier release did). */
export const DEFAULT_SETTINGS: Settings = {
  version: SETTINGS_VERSION,
  dataDir: null,
  knownHostsPath: null,
  snapshot: { policy: 'require', maxFreezeS: 10 },
  notifications: { operationEnd: true },
};

/** The settings the dialog edits: everything but the version, which only migrate writes. */
export const SettingsInputSchema = SettingsSchema.omit({ version: true });
export type SettingsInput = z.infer<typeof SettingsInputSchema>;

export interface MigratedSettings {
  settings: Settings;
  /** The version the file was written with (0: none stated, null: no file or not JSON). */
  from: number | null;
  /** What could not be kept, each said for people; empty when everything came across. */
  dropped: string[];
  /**
   * Set when the file comes from a newer Quiesce: it is read as far as it can be, but not
   * written over, or that version would lose what this one does not know.
   */
  newer?: number;
}

/**
 * Reads any settings file Quiesce ever wrote (already parsed from JSON; `undefined` for no file)
 * into the current shape. Fields are taken one by one, so one bad value costs only that value
 * (it falls back to the default and is named in `dropped`), never the whole file.
 */
export function migrateSettings(raw: unknown): MigratedSettings {
  if (raw === undefined || raw === null)
    return { settings: DEFAULT_SETTINGS, from: null, dropped: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      settings: DEFAULT_SETTINGS,
      from: null,
      dropped: ['the file (not a settings object)'],
    };
  }
  const file = raw as Record<string, unknown>;
  const from =
    typeof file.version === 'number' && Number.isInteger(file.version) ? file.version : 0;
  const dropped: string[] = [];
  /** `value` if it passes `schema`, else the default (noting what was lost). */
  const take = <T>(schema: z.ZodType<T>, value: unknown, fallback: T, name: string): T => {
    if (value === undefined) return fallback;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    dropped.push(name);
    return fallback;
  };
  const d = DEFAULT_SETTINGS;
  const record = (v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

  // Version 1 (and a hand-written file without a version) kept the snapshot defaults at the
  // top level and notifications as one switch.
  const snapshotSource =
    from >= 2 ? record(file.snapshot) : { policy: file.policy, maxFreezeS: file.maxFreezeS };
  const notificationSource =
    from >= 2
      ? record(file.notifications)
      : typeof file.notifications === 'boolean'
        ? { operationEnd: file.notifications }
        : record(file.notifications);

  const settings: Settings = {
    version: SETTINGS_VERSION,
    dataDir: take(PathSettingSchema.nullable(), file.dataDir, d.dataDir, 'data folder'),
    knownHostsPath: take(
      PathSettingSchema.nullable(),
      file.knownHostsPath,
      d.knownHostsPath,
      'known_hosts path',
    ),
    snapshot: {
      policy: take(QuiescePolicySchema, snapshotSource.policy, d.snapshot.policy, 'default policy'),
      maxFreezeS: take(
        MaxFreezeSchema,
        snapshotSource.maxFreezeS,
        d.snapshot.maxFreezeS,
        'default maximum freeze',
      ),
    },
    notifications: {
      operationEnd: take(
        z.boolean(),
        notificationSource.operationEnd,
        d.notifications.operationEnd,
        'notification when an operation ends',
      ),
    },
  };
  return {
    settings,
    from,
    dropped,
    ...(from > SETTINGS_VERSION ? { newer: from } : {}),
  };
}
