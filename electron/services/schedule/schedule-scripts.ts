import hostLib from '../host-scripts/host-lib.sh?raw';
import runnerScript from '../host-scripts/snapshot-runner.sh?raw';
import virshSession from '../host-scripts/virsh-session.sh?raw';
import watchdogScript from '../host-scripts/watchdog.sh?raw';
import jobScript from '../host-scripts/schedule-job.sh?raw';
import prunePlanScript from '../host-scripts/schedule-prune-plan.sh?raw';
import installPrelude from '../host-scripts/schedule-install.sh?raw';
import { AppError } from '../app-error';
import { filesScript } from '../snapshot/launch';
import type { SshConnection } from '../ssh/ssh-connection';
import type { Schedule } from '../../../shared/schedule/policy';

/** What the schedule services need of a connection: one exec (the CLI passes its own). */
export type Exec = Pick<SshConnection, 'exec'>;

/** HOSTDIR/schedules, as the host scripts name it. */
export function schedulesDir(hostDir: string): string {
  return `${hostDir.replace(/\/+$/, '')}/schedules`;
}

/**
 * The job's `args` (`name=value` a line, read by read_args in schedule-job.sh, each value checked
 * there again). The runner's own arguments are written by the job for each run.
 */
export function jobArgsText(s: Schedule, uri: string, agentTimeoutS: number): string {
  const args: Record<string, string | number> = {
    op: 'job',
    id: s.id,
    uri,
    target: s.target.kind === 'domain' ? s.target.uuid : 'ready-agents',
    policy: s.policy,
    maxFreezeS: s.maxFreezeS,
    agentTimeoutS,
    notReady: s.whenAgentNotReady,
    keepLast: s.retention.last,
    keepHourly: s.retention.hourly,
    keepDaily: s.retention.daily,
    keepWeekly: s.retention.weekly,
    keepMonthly: s.retention.monthly,
  };
  const lines = Object.entries(args).map(([k, v]) => {
    if (/[\n\r\0]/.test(String(v)))
      throw new AppError('invalid-input', `The value of “${k}” for the schedule has a line break.`);
    return `${k}=${v}`;
  });
  return lines.join('\n') + '\n';
}

/** The files installed in HOSTDIR/schedules/ID: the job and the same runner the app launches. */
export function scheduleFiles(s: Schedule, uri: string, agentTimeoutS: number): [string, string][] {
  return [
    ['job.sh', jobScript],
    ['host-lib.sh', hostLib],
    ['virsh-session.sh', virshSession],
    ['runner.sh', runnerScript],
    ['watchdog.sh', watchdogScript],
    ['prune-plan.sh', prunePlanScript],
    ['args', jobArgsText(s, uri, agentTimeoutS)],
    ['schedule.json', JSON.stringify(s)],
  ];
}

/** The install script: schedule-install.sh with the files (filesScript), then `install_schedule`. */
export function installScriptOf(files: readonly (readonly [string, string])[]): string {
  return filesScript(installPrelude, files, 'install_schedule');
}

/** A failed host command as an error for people. */
export function hostFailure(
  what: string,
  r: { code: number | null; stderr: string },
  remedy?: string,
) {
  return new AppError('host-command-failed', what, {
    cause: r.stderr.trim() || `exit status ${r.code}`,
    ...(remedy ? { remedy } : {}),
  });
}
