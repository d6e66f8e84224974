import { skipToken, useQuery, type QueryKey } from '@tanstack/react-query';

/**
 * What the event hub has folded into the cache under `queryKey`, never fetched: there is no call
 * behind it, only events. The entry is dropped when the last reader goes, so a dialog opened
 * again starts from nothing, as it did before the hub kept it.
 */
export function useCachedValue<T>(queryKey: QueryKey): T | undefined {
  return useQuery<T>({ queryKey, queryFn: skipToken, gcTime: 0 }).data;
}
