import { describe, expect, it, vi } from 'vitest';
import { autoConnect, autoConnectIds } from '../../electron/services/auto-connect';
import type { Handlers } from '../../electron/services/quiesce-service';

describe('connecting saved hosts at start (npm run demo)', () => {
  it('reads the host ids from QUIESCE_AUTOCONNECT', () => {
    expect(autoConnectIds({})).toEqual([]);
    expect(autoConnectIds({ QUIESCE_AUTOCONNECT: 'a,,b' })).toEqual(['a', 'b']);
  });

  it('connects each through the normal handler (host keys still checked), failures left to the UI', async () => {
    const connect = vi.fn(async ({ hostId }: { hostId: string }) => {
      if (hostId === 'bad') throw new Error('refused');
      return { status: 'host-key-unknown' } as never;
    });
    const handlers = { 'hosts.connect': connect } as unknown as Handlers;
    await expect(autoConnect(handlers, ['good', 'bad'])).resolves.toBeUndefined();
    expect(connect.mock.calls.map(([input]) => input)).toEqual([
      { hostId: 'good' },
      { hostId: 'bad' },
    ]);
  });
});
