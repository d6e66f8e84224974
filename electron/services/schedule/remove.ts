import removeScript from '../host-scripts/schedule-uninstall.sh?raw';
import { ScheduleIdSchema } from '../../../shared/schedule/policy';
import { shellCommand } from '../shell/quote';
import { hostFailure, type Exec } from './schedule-scripts';

/**
 * Removes a schedule and every trace of it on the host (host-scripts/schedule-uninstall.sh): its
 * crontab line, its timer and service, its folder. The snapshots it took stay. Answers what was
 * removed; fails if anything is left.
 */
export async function removeSchedule(
  conn: Exec,
  hostDir: string,
  id: string,
): Promise<{ removed: string[] }> {
  ScheduleIdSchema.parse(id);
  const r = await conn.exec(shellCommand(['sh', '-c', removeScript, 'sh', hostDir, id]), {
    timeoutMs: 60_000,
  });
  if (r.code !== 0) {
    throw hostFailure(
      `The schedule “${id}” could not be removed completely.`,
      r,
      'Remove what is left by hand (crontab -e; systemctl --user disable QUIESCE-UNIT; the folder), or try again.',
    );
  }
  const removed = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('removed='))
    .map((l) => l.slice('removed='.length));
  return { removed };
}
