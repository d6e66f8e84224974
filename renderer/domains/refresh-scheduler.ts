/**
 * Folds a burst of "something changed on this host" signals into one refresh per host: each
 * signal pushes the refresh back by `quietMs`, but never past `maxWaitMs` after the first, so a
 * guest that keeps changing still gets its badge updated.
 */
export function createRefreshScheduler(
  refresh: (hostId: string) => void,
  { quietMs = 500, maxWaitMs = 3000 }: { quietMs?: number; maxWaitMs?: number } = {},
): { schedule(hostId: string): void; dispose(): void } {
  const pending = new Map<string, { first: number; timer: ReturnType<typeof setTimeout> }>();
  return {
    schedule(hostId) {
      const now = Date.now();
      const before = pending.get(hostId);
      if (before) clearTimeout(before.timer);
      const first = before?.first ?? now;
      const wait = Math.max(0, Math.min(quietMs, first + maxWaitMs - now));
      const timer = setTimeout(() => {
        pending.delete(hostId);
        refresh(hostId);
      }, wait);
      pending.set(hostId, { first, timer });
    },
    dispose() {
      for (const { timer } of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}
