/** Every query key in one place, so invalidations and cache writes cannot drift apart. */
export const queryKeys = {
  hosts: ['hosts'] as const,
  connections: ['connections'] as const,
  domains: (hostId: string) => ['domains', hostId] as const,
  allDomains: ['domains'] as const,
  /** One agent doctor report per domain, addressed by UUID like every domain call. */
  doctor: (hostId: string, uuid: string) => ['doctor', hostId, uuid] as const,
  doctors: (hostId: string) => ['doctor', hostId] as const,
};
