import { shellCommand } from '../../shared/shell-command';

/**
 * The commands the host-key screens tell the admin to run. Only displayed, never executed; they
 * are built here so the dialog and the refusal say the same thing the same way, every word
 * quoted by the one quoting function.
 */

/** Where sshd keeps the public key of a given type, for `ssh-keygen -lf` on the host. */
export function hostKeyFileForType(type: string): string {
  const kind = /ed25519/.test(type)
    ? 'ed25519'
    : /ecdsa/.test(type)
      ? 'ecdsa'
      : /rsa/.test(type)
        ? 'rsa'
        : /dss/.test(type)
          ? 'dsa'
          : 'ed25519';
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}

/**
 * How OpenSSH names the host in known_hosts: the bare address on port 22, else [address]:port,
 * lower-cased as ssh(1) does before it writes or looks up a line (ssh-keygen -R does not).
 */
export function knownHostsName(address: string, port: number): string {
  const name = address.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** `ssh-keygen -lf <file>`: the host key's fingerprint, read on the host itself. */
export function fingerprintCommand(type: string): string {
  return shellCommand(['ssh-keygen', '-lf', hostKeyFileForType(type)]);
}

/** `ssh-keygen -R [host]:port -f <file>`: removes the old key lines for that host. */
export function removeKeyCommand(address: string, port: number, knownHostsPath: string): string {
  return shellCommand(['ssh-keygen', '-R', knownHostsName(address, port), '-f', knownHostsPath]);
}

/** The address as people write it in messages: host:port, with brackets around IPv6. */
export function displayTarget(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
