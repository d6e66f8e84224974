/**
 * The commands the host-key screens tell the admin to run. Only displayed, never executed; they
 * are built here so the dialog and the refusal say the same thing the same way.
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

/** How OpenSSH names the host in known_hosts: the bare address on port 22, else [address]:port. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** Single-quotes a word for a POSIX shell when it needs it, so a pasted command works as shown. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `ssh-keygen -R '[host]:port' -f <file>`: removes the old key lines for that host. */
export function removeKeyCommand(address: string, port: number, knownHostsPath: string): string {
  // The host name is always quoted: unquoted [..] is a glob to the shell.
  const name = `'${knownHostsName(address, port).replace(/'/g, `'\\''`)}'`;
  return `ssh-keygen -R ${name} -f ${shellWord(knownHostsPath)}`;
}

/** The address as people write it in messages: host:port, with brackets around IPv6. */
export function displayTarget(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
