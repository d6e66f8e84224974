import { shellCommand } from '../../shared/shell-command';
import { CliError } from './cli-error';
import { exitForAlerts } from './exit-codes';
import { ok } from './command-result';
import { commandFamily } from './command-family';
import { prunePlanText, scheduleListingText } from './schedule-format';

/** `quiesce schedule …` over the app's schedule methods (schedule.*). */
export const scheduleCommands = commandFamily('schedule', async (cmd, s, host) => {
  const hostId = host.id;
  /** The installed schedule, or "not found" naming the ones there are. */
  const installed = async (id: string) => {
    const listing = await s.call('schedule.list', { hostId });
    const found = listing.schedules.find((x) => x.schedule.id === id);
    if (!found)
      throw CliError.notFound(
        `${host.name} has no schedule “${id}”.`,
        listing.schedules.length === 0
          ? 'It has no schedules.'
          : `Its schedules: ${listing.schedules.map((x) => x.schedule.id).join(', ')}.`,
      );
    return { listing, found };
  };
  switch (cmd.name) {
    case 'schedule-ls': {
      const listing = await s.call('schedule.list', { hostId });
      return {
        ...ok(listing, scheduleListingText(listing)),
        exit: exitForAlerts(listing, cmd.check),
      };
    }
    case 'schedule-add': {
      const target = cmd.domain
        ? { kind: 'domain' as const, uuid: (await s.domain(host, cmd.domain)).uuid }
        : { kind: 'ready-agents' as const };
      const r = await s.call('schedule.save', {
        hostId,
        mode: cmd.install,
        schedule: {
          id: cmd.id,
          target,
          when: cmd.when,
          retention: cmd.retention,
          policy: cmd.policy,
          whenAgentNotReady: cmd.whenAgentNotReady,
          ...(cmd.maxFreezeS === undefined ? {} : { maxFreezeS: cmd.maxFreezeS }),
        },
      });
      return ok(
        r,
        [
          `Schedule ${cmd.id} installed on ${host.name} as ${r.mode === 'cron' ? 'a crontab line' : 'a systemd user timer'}.`,
          ...r.notes,
        ].join('\n'),
      );
    }
    case 'schedule-remove': {
      await installed(cmd.id);
      const r = await s.call('schedule.remove', { hostId, id: cmd.id });
      return ok(
        r,
        `Schedule ${cmd.id} removed from ${host.name}${r.removed.length ? `: ${r.removed.join(', ')}` : ''}. Its snapshots stay.`,
      );
    }
    case 'schedule-preview-prune': {
      const { found } = await installed(cmd.id);
      const d = await s.domain(host, cmd.domain);
      const plan = await s.call('schedule.previewPrune', {
        hostId,
        id: cmd.id,
        uuid: d.uuid,
        retention: cmd.retention ?? found.schedule.retention,
      });
      return ok(plan, prunePlanText(plan));
    }
    case 'schedule-run': {
      await installed(cmd.id);
      await s.call('schedule.runNow', {
        hostId,
        id: cmd.id,
        mode: cmd.pruneOnly ? 'prune' : 'run',
      });
      return ok(
        { started: cmd.id },
        `Schedule ${cmd.id} started on ${host.name}${cmd.pruneOnly ? ' (prune only)' : ''}; \`${shellCommand(['quiesce', 'schedule', 'ls', host.name])}\` shows its result.`,
      );
    }
    case 'schedule-seen': {
      const listing = await s.call('schedule.list', { hostId });
      const upTo = Math.floor(listing.host.now / 1000);
      await s.call('schedule.markSeen', { hostId, upTo });
      return ok(
        { seen: upTo, alerts: listing.alerts.length },
        `${listing.alerts.length} failure${listing.alerts.length === 1 ? '' : 's'} marked as seen.`,
      );
    }
    case 'schedule-hook': {
      await s.call('schedule.setHook', { hostId, command: cmd.command });
      return ok(
        { hook: cmd.command },
        cmd.command
          ? `${host.name} runs this with each failure as JSON on stdin: ${cmd.command}`
          : `${host.name} has no failure hook now.`,
      );
    }
  }
});
