import type { LabProfileShape, serviceHarness } from './service-harness';

/**
 * An app session on the lab: the real services (a `serviceHarness`) with the lab host saved and
 * connected. Used by the lab tier (test/support/lab-tier-session.ts), the bench and the soak; no
 * test-runner import, so plain tsx can load it.
 */
type Harness = Pick<ReturnType<typeof serviceHarness>, 'call'>;
type Profile = Pick<LabProfileShape, 'address' | 'port' | 'user' | 'keyPath' | 'libvirtUri'>;

/**
 * The known_hosts text with the lab sshd's `[addr]:port` entry moved to `port` (a relay in
 * front of the sshd), so the app trusts the same key there.
 */
export function knownHostsForPort(
  text: string,
  profile: Pick<LabProfileShape, 'address' | 'port'>,
  port: number,
): string {
  const from = `[${profile.address}]:${profile.port} `;
  const lines = text.split('\n');
  if (!lines.some((l) => l.startsWith(from)))
    throw new Error(`known_hosts has no plain "${from.trim()}" entry to point at port ${port}`);
  return lines
    .map((l) => (l.startsWith(from) ? `[${profile.address}]:${port} ${l.slice(from.length)}` : l))
    .join('\n');
}

/** The lab host as the host form would save it (`extra` overrides any field). */
export function labHostDraft(p: Profile, extra: Record<string, unknown> = {}) {
  return {
    name: 'lab',
    address: p.address,
    port: p.port,
    user: p.user,
    auth: { kind: 'key' as const, keyPath: p.keyPath },
    libvirtUri: p.libvirtUri,
    ...extra,
  };
}

/**
 * Saves the lab host in the session (`extra` overrides the draft: name, port, libvirtUri…) and
 * connects it; throws with the status when it does not connect. Returns the host's id.
 */
export async function connectLabHost(
  h: Harness,
  profile: Profile,
  extra: { name?: string; port?: number; libvirtUri?: string } = {},
): Promise<string> {
  const hostId = (await h.call('hosts.save', labHostDraft(profile, extra))).id;
  const c = await h.call('hosts.connect', { hostId });
  if (c.status !== 'connected')
    throw new Error(
      `cannot connect to the lab sshd on port ${extra.port ?? profile.port}: ${c.status}`,
    );
  return hostId;
}
