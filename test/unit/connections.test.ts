import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../shared/events';
import type { HostProfile } from '../../shared/hosts';
import { AppError } from '../../electron/services/app-error';
import { Connections } from '../../electron/services/hosts/connections';
import type { ConnectOutcome } from '../../electron/services/ssh/ssh-connection';
import { fakeConnection } from '../support/fake-ssh';

// The network is replaced by a queue of outcomes the test decides, one per connect attempt.
const ssh = vi.hoisted(() => ({ connectSsh: vi.fn() }));
vi.mock('../../electron/services/ssh/ssh-connection', () => ssh);

const host: HostProfile = {
  id: '2f1c6f0e-8d3b-4f7a-9a51-3c2b1d0e9f88',
  name: 'kvm1',
  address: '192.0.2.10',
  port: 22,
  user: 'admin',
  auth: { kind: 'key', keyPath: '/home/admin/.ssh/id_ed25519' },
  libvirtUri: 'qemu:///system',
  hostDir: '.quiesce',
};
const hostKey = { type: 'ssh-ed25519', fingerprint: 'SHA256:abc' };

function connected() {
  const link = fakeConnection();
  const outcome: ConnectOutcome = { kind: 'connected', connection: link.conn, hostKey };
  return { link, outcome };
}

function setup(extra: Partial<ConstructorParameters<typeof Connections>[0]> = {}) {
  const events: AppEvent[] = [];
  const stops: string[] = [];
  const whileConnected = vi.fn((h: HostProfile) => () => void stops.push(h.id));
  const connections = new Connections({
    knownHostsPath: '/tmp/known_hosts',
    emit: (e) => events.push(e),
    whileConnected,
    backoffMs: [100, 1000],
    ...extra,
  });
  const states = () => events.flatMap((e) => (e.type === 'connection' ? [e.state] : []));
  return { connections, events, states, stops, whileConnected };
}

beforeEach(() => {
  ssh.connectSsh.mockReset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('Connections: connect and disconnect', () => {
  it('connects, reports each state, runs whileConnected, and serves the connection', async () => {
    const { connections, states, whileConnected } = setup();
    const { link, outcome } = connected();
    ssh.connectSsh.mockResolvedValueOnce(outcome);

    expect(await connections.connect(host, {})).toEqual({ status: 'connected', hostKey });
    expect(states()).toEqual(['connecting', 'connected']);
    expect(whileConnected).toHaveBeenCalledWith(host, link.conn);
    expect(connections.get(host.id)).toBe(link.conn);
    expect(connections.list()).toEqual([{ hostId: host.id, state: 'connected' }]);
    // The profile's address is what ssh dials; the known_hosts path goes with it.
    expect(ssh.connectSsh).toHaveBeenCalledWith(
      expect.objectContaining({ host: '192.0.2.10', port: 22, user: 'admin' }),
      expect.objectContaining({ knownHostsPath: '/tmp/known_hosts' }),
    );
  });

  it('does not dial again while the link is open', async () => {
    const { connections } = setup();
    ssh.connectSsh.mockResolvedValueOnce(connected().outcome);
    await connections.connect(host, {});
    expect(await connections.connect(host, {})).toMatchObject({ status: 'connected' });
    expect(ssh.connectSsh).toHaveBeenCalledTimes(1);
  });

  it('returns a host-key refusal for the admin to decide, and stays disconnected', async () => {
    const { connections, states } = setup();
    const refusal = {
      status: 'host-key-unknown' as const,
      hostKey,
      knownHostsPath: '/tmp/known_hosts',
      knownTypes: [],
    };
    ssh.connectSsh.mockResolvedValueOnce({ kind: 'host-key', refusal });
    expect(await connections.connect(host, {})).toBe(refusal);
    expect(states()).toEqual(['connecting', 'disconnected']);
    expect(() => connections.get(host.id)).toThrow(AppError);
  });

  it('asks for the passphrase, then connects with it', async () => {
    const { connections } = setup();
    ssh.connectSsh.mockResolvedValueOnce({
      kind: 'passphrase-required',
      keyPath: '/k',
      wrong: false,
    });
    expect(await connections.connect(host, {})).toEqual({
      status: 'passphrase-required',
      keyPath: '/k',
      wrong: false,
    });
    ssh.connectSsh.mockResolvedValueOnce(connected().outcome);
    await connections.connect(host, { passphrase: 'secret' });
    expect(ssh.connectSsh.mock.calls[1]![1]).toMatchObject({ passphrase: 'secret' });
  });

  it('reports a failed connect with the explained error, and throws it', async () => {
    const { connections, events } = setup();
    const err = new AppError('connect-failed', 'Connection to admin@192.0.2.10:22 was refused.', {
      remedy: 'Check that sshd runs on the host and that the port is right.',
    });
    ssh.connectSsh.mockRejectedValueOnce(err);
    await expect(connections.connect(host, {})).rejects.toBe(err);
    expect(events.at(-1)).toEqual({
      type: 'connection',
      hostId: host.id,
      state: 'failed',
      error: err.toShape(),
    });
  });

  it('says "connect first" when asked for a host it is not connected to', () => {
    const { connections } = setup();
    expect(() => connections.get(host.id)).toThrow(/not connected/);
    try {
      connections.get(host.id);
    } catch (e) {
      expect((e as AppError).code).toBe('not-connected');
      expect((e as AppError).details.remedy).toMatch(/Connect/);
    }
  });

  it('disconnects: stops what ran while connected, closes the link, forgets the credentials', async () => {
    const { connections, states, stops } = setup();
    const { link, outcome } = connected();
    ssh.connectSsh.mockResolvedValueOnce(outcome);
    await connections.connect(host, { passphrase: 'secret' });
    connections.disconnect(host.id);
    expect(stops).toEqual([host.id]);
    expect(link.conn.isOpen).toBe(false);
    expect(states().at(-1)).toBe('disconnected');
    // A closed-on-purpose link is not a drop: no reconnect is scheduled.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ssh.connectSsh).toHaveBeenCalledTimes(1);
    // The passphrase is gone: the next connect does not send it.
    ssh.connectSsh.mockResolvedValueOnce(connected().outcome);
    await connections.connect(host, {});
    expect(ssh.connectSsh.mock.calls[1]![1]).not.toHaveProperty('passphrase');
  });

  it('forgets a removed host, and closeAll closes every link', async () => {
    const { connections } = setup();
    const other = { ...host, id: '7a0c4f1e-2b3d-4c5e-8f90-1a2b3c4d5e6f', name: 'kvm2' };
    const a = connected();
    const b = connected();
    ssh.connectSsh.mockResolvedValueOnce(a.outcome).mockResolvedValueOnce(b.outcome);
    await connections.connect(host, {});
    await connections.connect(other, {});
    connections.forget(host.id);
    expect(connections.list().map((c) => c.hostId)).toEqual([other.id]);
    connections.closeAll();
    expect([a.link.conn.isOpen, b.link.conn.isOpen]).toEqual([false, false]);
    expect(connections.list()).toEqual([{ hostId: other.id, state: 'disconnected' }]);
  });
});

describe('Connections: a dropped link', () => {
  it('reconnects with backoff using what worked, trusting only the key it had accepted', async () => {
    const { connections, events, states, stops, whileConnected } = setup();
    const first = connected();
    ssh.connectSsh.mockResolvedValueOnce(first.outcome);
    await connections.connect(host, {
      passphrase: 'secret',
      trust: { fingerprint: hostKey.fingerprint, save: true },
    });

    first.link.drop(new Error('read ECONNRESET'));
    expect(stops).toEqual([host.id]);
    const drop = events.at(-1);
    expect(drop).toMatchObject({ type: 'connection', state: 'reconnecting' });
    expect(drop?.type === 'connection' && drop.error?.cause).toBe('read ECONNRESET');

    // First retry fails (network still down), the second one succeeds.
    ssh.connectSsh.mockRejectedValueOnce(new AppError('connect-failed', 'unreachable'));
    const second = connected();
    ssh.connectSsh.mockResolvedValueOnce(second.outcome);
    await vi.advanceTimersByTimeAsync(99);
    expect(ssh.connectSsh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ssh.connectSsh).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ssh.connectSsh).toHaveBeenCalledTimes(3);

    expect(states().slice(-3)).toEqual(['reconnecting', 'reconnecting', 'connected']);
    expect(connections.get(host.id)).toBe(second.link.conn);
    expect(whileConnected).toHaveBeenCalledTimes(2);
    // Reconnects reuse the passphrase, and trust the accepted key without writing it again.
    for (const [, opts] of ssh.connectSsh.mock.calls.slice(1)) {
      expect(opts).toMatchObject({
        passphrase: 'secret',
        trust: { fingerprint: hostKey.fingerprint, save: false },
      });
    }
  });

  it('stops reconnecting when the host now offers another key, and says why', async () => {
    const { connections, events } = setup();
    const first = connected();
    ssh.connectSsh.mockResolvedValueOnce(first.outcome);
    await connections.connect(host, {});
    first.link.drop();
    ssh.connectSsh.mockResolvedValueOnce({
      kind: 'host-key',
      refusal: {
        status: 'host-key-changed',
        hostKey: { type: 'ssh-ed25519', fingerprint: 'SHA256:other' },
        expected: [{ ...hostKey, line: 3 }],
        knownHostsPath: '/tmp/known_hosts',
      },
    });
    await vi.advanceTimersByTimeAsync(100);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'connection', state: 'failed' });
    expect(last?.type === 'connection' && last.error?.message).toMatch(/host key changed/);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ssh.connectSsh).toHaveBeenCalledTimes(2);
  });

  it('keeps the last backoff delay once the list runs out, and a disconnect cancels the retry', async () => {
    const { connections } = setup();
    const first = connected();
    ssh.connectSsh.mockResolvedValueOnce(first.outcome);
    await connections.connect(host, {});
    first.link.drop();
    ssh.connectSsh.mockRejectedValue(new AppError('connect-failed', 'unreachable'));
    await vi.advanceTimersByTimeAsync(100 + 1000 + 1000);
    expect(ssh.connectSsh).toHaveBeenCalledTimes(4);
    connections.disconnect(host.id);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ssh.connectSsh).toHaveBeenCalledTimes(4);
    expect(connections.list()).toEqual([{ hostId: host.id, state: 'disconnected' }]);
  });
});
