import { queryKeys } from '../cache/query-keys';
import { useCallMutation, useCallQuery } from '../cache/use-call-query';
import type { SettingsInput } from '../../shared/settings';

/** The app's settings as main has them (always read afresh when the dialog opens). */
export function useSettings() {
  return useCallQuery(queryKeys.settings, 'settings.get', {}, { staleTime: 0 });
}

/**
 * Saves the settings. Every domain's starting policy and maximum freeze may change with them,
 * so the dialogs' defaults are read again.
 */
export function useSaveSettings() {
  return useCallMutation(
    'settings.set',
    (input: SettingsInput) => input,
    (client, answer) => {
      client.setQueryData(queryKeys.settings, answer);
      void client.invalidateQueries({ queryKey: queryKeys.allSnapshotDefaults });
    },
  );
}
