import type { MethodOutput } from '../../../shared/contract';
import type { SettingsInput } from '../../../shared/settings';
import type { SettingsStore } from './settings-store';

type SettingsAnswer = MethodOutput<'settings.get'>;

/**
 * settings.get and settings.set over the one settings file. `inEffect` is what this run uses:
 * the folders are read once at start, so a changed folder shows here until the next start.
 */
export function settingsHandlers(
  store: SettingsStore,
  inEffect: { dataDir: string; knownHostsPath: string },
) {
  const answer = async (): Promise<SettingsAnswer> => {
    const loaded = await store.load();
    return {
      settings: loaded.settings,
      file: store.path,
      inEffect,
      dropped: loaded.dropped,
      ...(loaded.newer !== undefined
        ? { readOnly: `Written by a newer Quiesce (settings version ${loaded.newer}).` }
        : {}),
    };
  };
  return {
    'settings.get': answer,
    'settings.set': async (input: SettingsInput) => {
      await store.save(input);
      return answer();
    },
  };
}
