import type { HostProfile } from '../../shared/hosts';
import type { SshConnection } from './ssh/ssh-connection';

/** A connected host: its profile and its SSH connection (fails when it is not connected). */
export type HostTarget = (hostId: string) => Promise<{ host: HostProfile; conn: SshConnection }>;

/**
 * A contract handler that works on one connected host: `fn` gets the host, its connection and
 * the request (whose `hostId` chose them), so each handler says only what it does there.
 */
export function onHost<I extends { hostId: string }, O>(
  target: HostTarget,
  fn: (host: HostProfile, conn: SshConnection, input: I) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input) => {
    const { host, conn } = await target(input.hostId);
    return fn(host, conn, input);
  };
}
