import { ScheduleSchema, type ScheduleInput } from '../../../shared/schedule/policy';
import { cronFields, onCalendar } from '../../../shared/schedule/next-run';
import { shellCommand } from '../shell/quote';
import { hostFailure, installScriptOf, scheduleFiles, type Exec } from './schedule-scripts';

export type InstallMode = 'auto' | 'cron' | 'systemd';

export interface Installed {
  /** What starts the job now. */
  mode: 'cron' | 'systemd';
  /** What the admin should know (lingering off, no cron daemon running). */
  notes: string[];
}

/**
 * Installs or replaces a schedule on the host (host-scripts/schedule-install.sh): its folder
 * HOSTDIR/schedules/ID with the job and the snapshot runner, started by a systemd user timer
 * where the SSH user's manager lingers, else by a line in its crontab.
 */
export async function saveSchedule(
  conn: Exec,
  hostDir: string,
  uri: string,
  input: ScheduleInput,
  opts: { agentTimeoutS?: number; mode?: InstallMode } = {},
): Promise<Installed> {
  const s = ScheduleSchema.parse(input);
  const script = installScriptOf(scheduleFiles(s, uri, opts.agentTimeoutS ?? 5));
  const r = await conn.exec(
    shellCommand([
      'sh',
      '-s',
      '--',
      hostDir,
      s.id,
      opts.mode ?? 'auto',
      cronFields(s.when),
      onCalendar(s.when),
    ]),
    { stdin: script, timeoutMs: 60_000 },
  );
  if (r.code !== 0) {
    throw hostFailure(
      `The schedule “${s.id}” could not be installed on the host.`,
      r,
      r.code === 69
        ? 'Install cron on the host (Debian: apt-get install cron), or enable lingering for the SSH user (as root: loginctl enable-linger USER) so its systemd user timers run without a login.'
        : `Check that the SSH user owns ${hostDir} on the host and that no one else may write to it.`,
    );
  }
  return parseInstallOutput(r.stdout);
}

/** `mode=` and `note=` (base64) lines → what was installed. Pure. */
export function parseInstallOutput(out: string): Installed {
  let mode: Installed['mode'] | undefined;
  const notes: string[] = [];
  for (const line of out.split('\n')) {
    if (line === 'mode=cron' || line === 'mode=systemd') mode = line.slice(5) as Installed['mode'];
    else if (line.startsWith('note='))
      notes.push(Buffer.from(line.slice(5), 'base64').toString('utf8'));
  }
  if (!mode)
    throw hostFailure('The host did not say how the schedule was installed.', {
      code: 0,
      stderr: out,
    });
  return { mode, notes };
}
