import { alertsSince, type Alert } from '../../../shared/schedule/results';
import { AppError } from '../app-error';
import { shellCommand } from '../shell/quote';
import type { ScheduleListing } from './list';
import { hostFailure, schedulesDir, type Exec } from './schedule-scripts';

/** The failures the admin has not seen yet (runs that ended after the host's `seen` mark). */
export function unseenAlerts(listing: ScheduleListing): Alert[] {
  return alertsSince(listing.schedules, listing.host.seen);
}

/**
 * Marks every failure up to `upTo` (epoch seconds, host clock) as seen, on the host, so every
 * workstation and the CLI agree on what is new.
 */
export async function markSeen(conn: Exec, hostDir: string, upTo: number): Promise<void> {
  if (!Number.isInteger(upTo) || upTo < 0) throw new AppError('invalid-input', 'Not a time.');
  const r = await conn.exec(
    shellCommand([
      'sh',
      '-c',
      'mkdir -p "$1" && printf "%s\\n" "$2" >"$1/seen"',
      'sh',
      schedulesDir(hostDir),
      String(upTo),
    ]),
    { timeoutMs: 30_000 },
  );
  if (r.code !== 0) throw hostFailure('The alerts could not be marked as seen on the host.', r);
}

/**
 * The host's hook: a command run by `sh -c` with the failure as JSON on stdin, from the folder
 * HOSTDIR, for every failed run of every schedule (e.g. `mail -s quiesce root` or
 * `curl -sS -d @- https://…`). Empty removes it.
 */
export async function setHook(conn: Exec, hostDir: string, command: string): Promise<void> {
  if (/[\n\r\0]/.test(command)) {
    throw new AppError('invalid-input', 'The hook is one command line (no line breaks).');
  }
  const r = await conn.exec(
    shellCommand([
      'sh',
      '-c',
      'umask 077; if [ -z "$2" ]; then rm -f "$1/hook"; else mkdir -p "$1" && printf "%s\\n" "$2" >"$1/hook"; fi',
      'sh',
      schedulesDir(hostDir),
      command,
    ]),
    { timeoutMs: 30_000 },
  );
  if (r.code !== 0) throw hostFailure('The hook could not be saved on the host.', r);
}
