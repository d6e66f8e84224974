import { useQueryClient } from '@tanstack/react-query';
import type { AppEvent } from '../../shared/events';
import type { RestoreDiskProgress } from '../../shared/export';
import { queryKeys } from '../cache/query-keys';
import { useCachedValue } from '../cache/use-cached-value';

/** How far each disk of a restore from an export has got, from main's `restore-progress` events. */
export type RestoreProgress = Record<string, RestoreDiskProgress>;

type RestoreProgressEvent = Extract<AppEvent, { type: 'restore-progress' }>;

/** One more restore-progress event: the disk's newest reading (the host never counts back). */
export function foldRestoreProgress(
  prev: RestoreProgress | undefined,
  event: RestoreProgressEvent,
): RestoreProgress {
  return { ...prev, [event.disk.target]: event.disk };
}

/**
 * The progress of a restore of one export, while a Restore… form of it is open (the event hub
 * keeps it only then); `reset` before a new restore starts.
 */
export function useRestoreProgress(hostId: string, uuid: string, exportId: string) {
  const client = useQueryClient();
  const queryKey = queryKeys.restoreProgress(hostId, uuid, exportId);
  const progress = useCachedValue<RestoreProgress>(queryKey) ?? {};
  return { progress, reset: () => client.setQueryData<RestoreProgress>(queryKey, {}) };
}
