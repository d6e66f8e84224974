import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../electron/services/app-error';
import { SshConnection, connectSsh } from '../../electron/services/ssh/ssh-connection';

/** An ssh2 channel as SshConnection uses it: data, stderr data, exit, close. */
class FakeChannel extends EventEmitter {
  readonly stderr = new EventEmitter();
  stdin: string | undefined;
  closed = false;
  end(data?: string) {
    this.stdin = data;
  }
  /** Like ssh2, the channel says it closed a moment later, not from inside close(). */
  close() {
    this.closed = true;
    queueMicrotask(() => this.emit('close'));
  }
  /** The command finished: exit status, then the channel closes. */
  finish(code: number | null, signal?: string) {
    this.emit('exit', code, signal);
    this.emit('close');
  }
}

/** An ssh2 Client as SshConnection uses it; each exec is answered by the test. */
class FakeClient extends EventEmitter {
  readonly execs: { command: string; channel: FakeChannel; answer: () => void }[] = [];
  ended = false;
  failNextExec: Error | undefined;
  exec(command: string, cb: (err: Error | undefined, channel: FakeChannel) => void) {
    const channel = new FakeChannel();
    const err = this.failNextExec;
    this.failNextExec = undefined;
    this.execs.push({ command, channel, answer: () => cb(err, channel) });
  }
  end() {
    this.ended = true;
    this.emit('close');
  }
}

const hostKey = { type: 'ssh-ed25519', fingerprint: 'SHA256:abc' };
function connection() {
  const client = new FakeClient();
  const conn = new SshConnection(client as never, hostKey);
  return { client, conn };
}

afterEach(() => vi.useRealTimers());

describe('SshConnection.exec', () => {
  it('runs one command on its own channel and collects stdout, stderr, status and stdin', async () => {
    const { client, conn } = connection();
    const done = conn.exec('virsh list', { stdin: 'input' });
    const { command, channel, answer } = client.execs[0]!;
    expect(command).toBe('virsh list');
    answer();
    expect(channel.stdin).toBe('input');
    channel.emit('data', Buffer.from('out-1 '));
    channel.stderr.emit('data', Buffer.from('err'));
    channel.emit('data', Buffer.from('out-2'));
    channel.finish(3);
    expect(await done).toEqual({ code: 3, signal: null, stdout: 'out-1 out-2', stderr: 'err' });
  });

  it('reports a command killed by a signal', async () => {
    const { client, conn } = connection();
    const done = conn.exec('sleep 9');
    client.execs[0]!.answer();
    client.execs[0]!.channel.finish(null, 'KILL');
    expect(await done).toMatchObject({ code: null, signal: 'KILL' });
  });

  it('gives up after its timeout, closing the channel, with what to check', async () => {
    vi.useFakeTimers();
    const { client, conn } = connection();
    const done = conn.exec('virsh list', { timeoutMs: 5000 });
    client.execs[0]!.answer();
    const caught = done.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    const err = (await caught) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toBe('A command on the host did not finish in time.');
    expect(err.details.cause).toBe('no answer after 5000 ms');
    expect(client.execs[0]!.channel.closed).toBe(true);
  });

  it('explains a host that refuses to run commands', async () => {
    const { client, conn } = connection();
    client.failNextExec = new Error('Unable to exec');
    const done = conn.exec('true');
    client.execs[0]!.answer();
    await expect(done).rejects.toMatchObject({
      code: 'host-command-failed',
      details: { cause: 'Unable to exec', remedy: expect.stringMatching(/ForceCommand/) },
    });
  });

  it('refuses at once once the link is closed', async () => {
    const { client, conn } = connection();
    client.emit('close');
    await expect(conn.exec('true')).rejects.toMatchObject({ code: 'not-connected' });
    expect(client.execs).toHaveLength(0);
  });
});

describe('SshConnection.stream', () => {
  it('hands over whole lines, across chunks, and says how it ended', () => {
    const { client, conn } = connection();
    const lines: string[] = [];
    const ends: string[] = [];
    conn.stream(
      'tail -f j',
      (l) => lines.push(l),
      (why) => ends.push(why),
    );
    const { channel, answer } = client.execs[0]!;
    answer();
    channel.emit('data', Buffer.from('{"a":1}\n{"b"'));
    channel.emit('data', Buffer.from(':2}\n{"c":'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    channel.stderr.emit('data', Buffer.from('tail: cannot open\n'));
    channel.emit('close');
    expect(ends).toEqual(['tail: cannot open']);
  });

  it('ends as "stopped" when stopped, also before the channel opened', async () => {
    const { client, conn } = connection();
    const ends: string[] = [];
    const handle = conn.stream(
      'virsh event --loop',
      () => undefined,
      (why) => ends.push(why),
    );
    handle.stop();
    client.execs[0]!.answer(); // the channel arrives after the stop: closed at once
    expect(client.execs[0]!.channel.closed).toBe(true);
    await Promise.resolve();
    expect(ends).toEqual(['stopped']);
  });

  it('ends once, with the reason, when the channel cannot open or the link is closed', () => {
    const { client, conn } = connection();
    const ends: string[] = [];
    client.failNextExec = new Error('Channel open failure');
    conn.stream(
      'x',
      () => undefined,
      (why) => ends.push(why),
    );
    client.execs[0]!.answer();
    client.emit('close');
    conn.stream(
      'y',
      () => undefined,
      (why) => ends.push(why),
    );
    expect(ends).toEqual(['Channel open failure', 'connection closed']);
  });
});

describe('SshConnection lifetime', () => {
  it('tells its listeners when the link closes, with the last error', () => {
    const { client, conn } = connection();
    const seen: (Error | undefined)[] = [];
    const off = conn.onClose((e) => seen.push(e));
    conn.onClose((e) => seen.push(e));
    off();
    expect(conn.isOpen).toBe(true);
    client.emit('error', new Error('read ECONNRESET'));
    client.emit('close');
    expect(conn.isOpen).toBe(false);
    expect(seen.map((e) => e?.message)).toEqual(['read ECONNRESET']);
  });

  it('close() ends the client', () => {
    const { client, conn } = connection();
    conn.close();
    expect(client.ended).toBe(true);
    expect(conn.isOpen).toBe(false);
  });
});

describe('connectSsh, before any network', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-keys-'));
  const keygen = (name: string, passphrase = '') => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', join(dir, name)]);
    return join(dir, name);
  };
  // Port 9 on a documentation address: nothing may be dialled in these tests.
  const target = (auth: Parameters<typeof connectSsh>[0]['auth']) => ({
    host: '192.0.2.1',
    port: 9,
    user: 'admin',
    auth,
  });
  const opts = { knownHostsPath: join(dir, 'known_hosts') };

  it('asks for the passphrase of an encrypted key, and says when it was wrong', async () => {
    const keyPath = keygen('enc', 'right horse');
    expect(await connectSsh(target({ kind: 'key', keyPath }), opts)).toEqual({
      kind: 'passphrase-required',
      keyPath,
      wrong: false,
    });
    expect(
      await connectSsh(target({ kind: 'key', keyPath }), { ...opts, passphrase: 'wrong' }),
    ).toMatchObject({ kind: 'passphrase-required', wrong: true });
  });

  it('explains a key file that is missing, not a key, or the public half', async () => {
    const keyPath = keygen('plain');
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, 'not a key\n');
    for (const [path, message] of [
      [join(dir, 'missing'), /could not be read/],
      [garbage, /not a usable private key/],
      [`${keyPath}.pub`, /holds a public key/],
    ] as const) {
      const err = await connectSsh(target({ kind: 'key', keyPath: path }), opts).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('key-file');
      expect((err as AppError).message).toMatch(message);
      expect((err as AppError).details.remedy).toBeTruthy();
    }
  });

  it('says how to log in when there is no ssh-agent', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      await expect(connectSsh(target({ kind: 'agent' }), opts)).rejects.toMatchObject({
        code: 'auth-failed',
        details: { remedy: expect.stringMatching(/ssh-add/) },
      });
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
