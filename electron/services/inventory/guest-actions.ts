import { shellCommand } from '../shell/quote';
import attachDeviceScript from '../host-scripts/attach-device.sh?raw';
import type { SshConnection } from '../ssh/ssh-connection';
import { AppError } from '../app-error';
import { explainVirshFailure } from '../virsh/virsh-errors';
import { AGENT_CHANNEL_XML } from './domain-xml';

/**
 * Thaws a guest found frozen. Through qemu-agent-command with its own timeout rather than
 * `virsh domfsthaw`: a hung agent would block domfsthaw for as long as the hang lasts
 * (docs/ARCHITECTURE.md, "A hung agent blocks domfsthaw"), and this must answer the admin
 * either way.
 */
export async function thawGuest(
  conn: SshConnection,
  uri: string,
  uuid: string,
  timeoutS = 10,
): Promise<{ thawed: number }> {
  const r = await conn.exec(
    shellCommand([
      'virsh',
      '-c',
      uri,
      'qemu-agent-command',
      '--timeout',
      String(timeoutS),
      uuid,
      '{"execute":"guest-fsfreeze-thaw"}',
    ]),
    { timeoutMs: (timeoutS + 20) * 1000 },
  );
  if (r.code !== 0) {
    const e = explainVirshFailure(r.stderr, uri, r.code).toShape();
    throw new AppError('host-command-failed', 'The guest could not be thawed.', {
      cause: r.stderr.trim() || e.cause,
      remedy:
        'If the agent is hung, it thaws when it resumes; otherwise restart the agent in the guest (a restarted agent thaws what it froze) or reboot the guest.',
    });
  }
  const m = /"return"\s*:\s*(\d+)/.exec(r.stdout);
  return { thawed: m ? Number(m[1]) : 0 };
}

/**
 * Adds the guest-agent channel to the domain's persistent definition. The running guest does
 * not see it until it is restarted from libvirt (a reboot inside the guest is not enough).
 */
export async function addAgentChannel(
  conn: SshConnection,
  uri: string,
  uuid: string,
): Promise<void> {
  const r = await conn.exec(shellCommand(['sh', '-c', attachDeviceScript, 'sh', uri, uuid]), {
    stdin: AGENT_CHANNEL_XML,
    timeoutMs: 30_000,
  });
  if (r.code !== 0) {
    throw new AppError('host-command-failed', 'The agent channel could not be added.', {
      cause: r.stderr.trim(),
      remedy: 'Add it by hand with `virsh edit` (the XML is shown in the doctor).',
    });
  }
}
