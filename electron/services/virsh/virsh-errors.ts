import { AppError } from '../app-error';

/** Explains a failed virsh call in the admin's terms, from what virsh printed on stderr. */
export function explainVirshFailure(
  stderr: string,
  uri: string,
  exitCode: number | null,
): AppError {
  const text = stderr.trim() || `virsh exited with status ${exitCode}`;
  if (exitCode === 127 || /virsh: (command )?not found/.test(text)) {
    return new AppError('host-command-failed', 'virsh is not installed on the host.', {
      cause: text,
      remedy: 'Install libvirt-clients on the host (Debian/Ubuntu: apt install libvirt-clients).',
    });
  }
  if (/Permission denied|authentication unavailable|access denied/i.test(text)) {
    return new AppError('host-command-failed', `The SSH user may not use ${uri}.`, {
      cause: text,
      remedy:
        'Add the SSH user to the libvirt group on the host (usermod -aG libvirt USER), then reconnect.',
    });
  }
  if (/failed to connect to the hypervisor|Failed to connect socket/i.test(text)) {
    return new AppError('host-command-failed', `libvirt at ${uri} does not answer.`, {
      cause: text,
      remedy: 'Check that libvirtd (or virtqemud) runs on the host, and that the URI is right.',
    });
  }
  return new AppError('host-command-failed', 'virsh failed on the host.', { cause: text });
}
