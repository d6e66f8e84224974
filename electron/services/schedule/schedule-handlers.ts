import type { AppEvent } from '../../../shared/events';
import type { HostProfile } from '../../../shared/hosts';
import type { Handlers } from '../quiesce-service';
import type { SshConnection } from '../ssh/ssh-connection';
import { unseenAlerts, markSeen, setHook } from './alerts';
import { saveSchedule } from './install';
import { listSchedules } from './list';
import { previewPrune, startJob } from './prune-preview';
import { removeSchedule } from './remove';

type ScheduleMethods =
  | 'schedule.list'
  | 'schedule.save'
  | 'schedule.remove'
  | 'schedule.previewPrune'
  | 'schedule.runNow'
  | 'schedule.markSeen'
  | 'schedule.setHook';

/** The schedule methods of the contract, over a host's connection (docs/schedules.md). */
export function scheduleHandlers(
  target: (hostId: string) => Promise<{ host: HostProfile; conn: SshConnection }>,
  opts: { agentTimeoutS: number; emit?: (e: AppEvent) => void },
): Pick<Handlers, ScheduleMethods> {
  /** Alerts already raised as events in this process (the desktop shell notifies each once). */
  const raised = new Set<string>();
  return {
    'schedule.list': async ({ hostId }) => {
      const { host, conn } = await target(hostId);
      const listing = await listSchedules(conn, host.hostDir);
      const alerts = unseenAlerts(listing);
      for (const a of [...alerts].reverse()) {
        const key = `${hostId}/${a.schedule}/${a.run.run}/${a.run.uuid}`;
        if (raised.has(key)) continue;
        raised.add(key);
        opts.emit?.({ type: 'schedule-alert', hostId, schedule: a.schedule, message: a.message });
      }
      return { ...listing, alerts };
    },
    'schedule.save': async ({ hostId, schedule, mode }) => {
      const { host, conn } = await target(hostId);
      return saveSchedule(conn, host.hostDir, host.libvirtUri, schedule, {
        agentTimeoutS: opts.agentTimeoutS,
        mode,
      });
    },
    'schedule.remove': async ({ hostId, id }) => {
      const { host, conn } = await target(hostId);
      return removeSchedule(conn, host.hostDir, id);
    },
    'schedule.previewPrune': async ({ hostId, id, uuid, retention }) => {
      const { host, conn } = await target(hostId);
      return previewPrune(conn, host.hostDir, id, uuid, retention);
    },
    'schedule.runNow': async ({ hostId, id, mode }) => {
      const { host, conn } = await target(hostId);
      await startJob(conn, host.hostDir, id, mode);
      return {};
    },
    'schedule.markSeen': async ({ hostId, upTo }) => {
      const { host, conn } = await target(hostId);
      await markSeen(conn, host.hostDir, upTo);
      return {};
    },
    'schedule.setHook': async ({ hostId, command }) => {
      const { host, conn } = await target(hostId);
      await setHook(conn, host.hostDir, command);
      return {};
    },
  };
}
