import { shellCommand } from '../shell/quote';
import type { SshConnection } from '../ssh/ssh-connection';

/** A domain's name, for messages meant for people (everything on the host goes by UUID). */
export async function domainName(
  conn: SshConnection,
  uri: string,
  uuid: string,
): Promise<string | undefined> {
  const r = await conn.exec(shellCommand(['virsh', '-c', uri, 'domname', uuid]), {
    timeoutMs: 30_000,
  });
  return r.code === 0 ? r.stdout.trim() : undefined;
}
