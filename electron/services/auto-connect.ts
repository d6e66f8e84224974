import type { Handlers } from './quiesce-service';

/** Host ids to connect at start, from QUIESCE_AUTOCONNECT (comma-separated). */
export function autoConnectIds(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.QUIESCE_AUTOCONNECT ?? '').split(',').filter(Boolean);
}

/**
 * Connects to saved hosts at start — used by `npm run demo` so a newcomer lands on a connected
 * lab. Host keys are still checked: a host whose key is not already trusted stays disconnected
 * and the UI asks as usual.
 */
export async function autoConnect(handlers: Handlers, hostIds: readonly string[]): Promise<void> {
  await Promise.all(
    hostIds.map((hostId) => handlers['hosts.connect']({ hostId }).catch(() => undefined)),
  );
}
