/** Every query key in one place, so invalidations and cache writes cannot drift apart. */
export const queryKeys = {
  hosts: ['hosts'] as const,
  connections: ['connections'] as const,
  domains: (hostId: string) => ['domains', hostId] as const,
  allDomains: ['domains'] as const,
};
