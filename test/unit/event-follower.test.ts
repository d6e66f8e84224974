import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  followEventsCommand,
  type DomainEvent,
} from '../../electron/services/inventory/domain-events';
import { followDomainEvents } from '../../electron/services/inventory/event-follower';
import { fakeConnection } from '../support/fake-ssh';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('followDomainEvents', () => {
  it('follows `virsh event --loop --all` on one channel and passes on what moves a badge', () => {
    const { conn, streams } = fakeConnection();
    const seen: DomainEvent[] = [];
    followDomainEvents(conn, 'qemu:///system', (e) => seen.push(e));
    expect(streams).toHaveLength(1);
    expect(streams[0]!.command).toBe(followEventsCommand('qemu:///system'));
    expect(streams[0]!.command).toMatch(/ sh virsh -q -c \S+ event --loop --all$/);
    streams[0]!.line("event 'lifecycle' for domain 'web 1': Suspended Paused");
    streams[0]!.line("event 'block-threshold' for domain 'web 1': dev: vda(/img) 100 0");
    streams[0]!.line('not an event line');
    streams[0]!.line(
      "event 'agent-lifecycle' for domain 'db': state: 'connected' reason: 'channel event'",
    );
    expect(seen).toEqual([
      { kind: 'lifecycle', domain: 'web 1', detail: 'Suspended Paused' },
      {
        kind: 'agent-lifecycle',
        domain: 'db',
        detail: "state: 'connected' reason: 'channel event'",
      },
    ]);
  });

  it('starts again after a pause when the stream ends while the link is up (libvirtd restarted)', async () => {
    const { conn, streams } = fakeConnection();
    followDomainEvents(conn, 'qemu:///system', () => undefined, 5000);
    streams[0]!.end('error: Disconnected from qemu:///system due to end of file');
    await vi.advanceTimersByTimeAsync(4999);
    expect(streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(streams).toHaveLength(2);
  });

  it('does not start again once the link is gone (the reconnect starts a new follower)', async () => {
    const { conn, streams, drop } = fakeConnection();
    followDomainEvents(conn, 'qemu:///system', () => undefined, 5000);
    drop();
    streams[0]!.end('connection closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(streams).toHaveLength(1);
  });

  it('stops the channel and any pending restart when told to', async () => {
    const { conn, streams } = fakeConnection();
    const stop = followDomainEvents(conn, 'qemu:///system', () => undefined, 5000);
    streams[0]!.end();
    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(streams).toHaveLength(1);

    const again = fakeConnection();
    followDomainEvents(again.conn, 'qemu:///system', () => undefined)();
    expect(again.streams[0]!.stopped).toBe(true);
  });
});
