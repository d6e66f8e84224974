import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SETTINGS_VERSION,
  SettingsInputSchema,
  migrateSettings,
  type MigratedSettings,
  type Settings,
  type SettingsInput,
} from '../../../shared/settings';
import { AppError } from '../app-error';

export const SETTINGS_FILE = 'settings.json';

/**
 * The settings file in the app's own folder (not the data folder a setting may move: the file
 * that says where the data is cannot live there). Every read migrates (shared/settings.ts), so
 * the rest of the app sees only the current shape; a write replaces the file atomically.
 */
export class SettingsStore {
  readonly path: string;
  constructor(readonly configDir: string) {
    this.path = join(configDir, SETTINGS_FILE);
  }

  async load(): Promise<MigratedSettings> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return migrateSettings(undefined);
      throw new AppError('internal', `Quiesce could not read its settings (${this.path}).`, {
        cause: (err as Error).message,
        remedy: 'Check the file’s permissions, or remove it to start from the defaults.',
      });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { ...migrateSettings(undefined), dropped: ['the file (not JSON)'] };
    }
    return migrateSettings(raw);
  }

  async read(): Promise<Settings> {
    return (await this.load()).settings;
  }

  async save(input: SettingsInput): Promise<Settings> {
    const current = await this.load();
    if (current.newer !== undefined) {
      throw new AppError(
        'invalid-input',
        `The settings were written by a newer Quiesce (settings version ${current.newer}).`,
        {
          cause: `This Quiesce knows settings up to version ${SETTINGS_VERSION}; saving would lose what the newer one stored.`,
          remedy: 'Change the settings in the newer Quiesce, or install it here too.',
        },
      );
    }
    const settings: Settings = { version: SETTINGS_VERSION, ...SettingsInputSchema.parse(input) };
    await mkdir(this.configDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.path);
    return settings;
  }
}
