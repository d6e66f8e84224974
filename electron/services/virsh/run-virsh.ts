import type { SshConnection } from '../ssh/ssh-connection';
import { shellCommand } from '../shell/quote';
import { explainVirshFailure } from './virsh-errors';

/**
 * `virsh -c URI ARGS…` over the connection, every argument quoted: its standard output, or the
 * failure explained in the admin's terms (explainVirshFailure).
 */
export async function runVirsh(
  conn: SshConnection,
  uri: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<string> {
  const r = await conn.exec(shellCommand(['virsh', '-c', uri, ...args]), { timeoutMs });
  if (r.code !== 0) throw explainVirshFailure(r.stderr, uri, r.code);
  return r.stdout;
}
