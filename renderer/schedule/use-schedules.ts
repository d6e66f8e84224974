import { useEffect, useRef } from 'react';
import { queryKeys } from '../cache/query-keys';
import { useCallMutation, useCallQuery } from '../cache/use-call-query';
import type { Alert } from '../../shared/schedule/results';
import type { ScheduleInput } from '../../shared/schedule/policy';
import { useSettings } from '../settings/use-settings';

/** The host's schedules and unseen failures, read again every minute while shown. */
export function useSchedules(hostId: string) {
  return useCallQuery(
    queryKeys.schedules(hostId),
    'schedule.list',
    { hostId },
    { refetchInterval: 60_000 },
  );
}

const invalidate =
  (hostId: string) =>
  (client: Parameters<Parameters<typeof useCallMutation>[2]>[0]): void => {
    void client.invalidateQueries({ queryKey: queryKeys.schedules(hostId) });
  };

export function useSaveSchedule(hostId: string) {
  return useCallMutation(
    'schedule.save',
    (schedule: ScheduleInput) => ({ hostId, schedule }),
    invalidate(hostId),
  );
}
export function useRemoveSchedule(hostId: string) {
  return useCallMutation('schedule.remove', (id: string) => ({ hostId, id }), invalidate(hostId));
}
export function useRunNow(hostId: string) {
  return useCallMutation('schedule.runNow', (id: string) => ({ hostId, id }), invalidate(hostId));
}
export function useMarkSeen(hostId: string) {
  return useCallMutation(
    'schedule.markSeen',
    (upTo: number) => ({ hostId, upTo }),
    invalidate(hostId),
  );
}

/**
 * A desktop notification for each failure not notified yet (the Web Notification API: Electron's
 * renderer and the browser shell both have it), when the notifications setting allows them.
 * Alerts already there when the window opened are not notified: the badge shows them.
 */
export function useFailureNotifications(hostName: string, alerts: readonly Alert[] | undefined) {
  const settings = useSettings();
  const notified = useRef<Set<string> | undefined>(undefined);
  const allowed = settings.data?.settings.notifications.operationEnd !== false;
  useEffect(() => {
    if (!alerts) return;
    const key = (a: Alert) => `${a.schedule}/${a.run.run}/${a.run.uuid}`;
    if (!notified.current) {
      notified.current = new Set(alerts.map(key));
      return;
    }
    const fresh = alerts.filter((a) => !notified.current!.has(key(a)));
    for (const a of fresh) notified.current.add(key(a));
    if (!allowed || fresh.length === 0 || typeof Notification === 'undefined') return;
    const show = () => {
      for (const a of fresh)
        new Notification(`Quiesce: schedule ${a.schedule} on ${hostName}`, { body: a.message });
    };
    if (Notification.permission === 'granted') show();
    else if (Notification.permission === 'default')
      void Notification.requestPermission().then((p) => p === 'granted' && show());
  }, [alerts, allowed, hostName]);
}
