import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecResult, SshConnection } from '../../electron/services/ssh/ssh-connection';

/** One `exec` a service made: the command line as the host's shell would receive it. */
export interface ExecCall {
  command: string;
  stdin?: string;
  timeoutMs?: number;
}

/** One `stream` a service opened; the test feeds it lines and ends it. */
export interface FakeStream {
  command: string;
  stopped: boolean;
  line(text: string): void;
  end(why?: string): void;
}

export type Answer = (call: ExecCall) => Partial<ExecResult> | Promise<Partial<ExecResult>>;

/**
 * A stand-in for one SSH connection, for unit tests of the services that use it: `exec` answers
 * from `answer` and records every call, `stream` hands the test a handle to feed, `drop()` closes
 * the link as a network failure would. No network, no ssh2.
 */
export function fakeConnection(answer: Answer = () => ({})) {
  const calls: ExecCall[] = [];
  const streams: FakeStream[] = [];
  const closeListeners = new Set<(err?: Error) => void>();
  let open = true;
  const drop = (err?: Error) => {
    if (!open) return;
    open = false;
    for (const l of closeListeners) l(err);
  };
  const fake = {
    hostKey: { type: 'ssh-ed25519', fingerprint: 'SHA256:fake' },
    get isOpen() {
      return open;
    },
    async exec(command: string, opts: { stdin?: string; timeoutMs?: number } = {}) {
      const call = { command, ...opts };
      calls.push(call);
      return { code: 0, signal: null, stdout: '', stderr: '', ...(await answer(call)) };
    },
    stream(command: string, onLine: (line: string) => void, onEnd: (why: string) => void) {
      let ended = false;
      const s: FakeStream = {
        command,
        stopped: false,
        line: (text) => {
          if (!ended) onLine(text);
        },
        end: (why = 'the command ended') => {
          if (ended) return;
          ended = true;
          onEnd(why);
        },
      };
      streams.push(s);
      return {
        stop: () => {
          s.stopped = true;
          s.end('stopped');
        },
      };
    },
    onClose(listener: (err?: Error) => void) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => drop(),
  };
  return { conn: fake as unknown as SshConnection, calls, streams, drop };
}

/**
 * Answers each exec by running its command line through a local `sh -c`, as the host's login
 * shell would, with `binDir` first on PATH (so a fake `virsh` there sees the real arguments).
 */
export function localShell(binDir: string): Answer {
  return ({ command, stdin }) =>
    new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', command], {
        env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      // a command that exits without reading its input is not an error (sshd ignores it too)
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
}

/**
 * A folder with a fake `virsh` that prints each argument on its own line (`arg:VALUE`) and the
 * content of any argument that names a file (`file:CONTENT` and a line break), then `out` on
 * stdout and `err` on stderr, and exits with `rc`.
 */
export function fakeVirshBin(env: { rc?: number; out?: string; err?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-fake-virsh-'));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    join(dir, 'virsh'),
    [
      '#!/bin/sh',
      'for a; do',
      '  printf \'arg:%s\\n\' "$a"',
      '  if [ -f "$a" ]; then printf \'file:\'; cat "$a"; echo; fi',
      'done',
      env.out === undefined ? '' : `printf '%s' ${q(env.out)}`,
      env.err === undefined ? '' : `printf '%s' ${q(env.err)} >&2`,
      `exit ${env.rc ?? 0}`,
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'virsh'), 0o755);
  return dir;
}

/** The `arg:` lines a fake virsh printed: the argument vector it received. */
export function virshArgs(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('arg:'))
    .map((l) => l.slice(4));
}

/**
 * A connection whose commands run through a real `sh` and reach a fake `virsh` (fakeVirshBin);
 * `args()` is the argument vector virsh received in the last command, `stdout()` all it printed.
 */
export function fakeVirshHost(env: Parameters<typeof fakeVirshBin>[0] = {}) {
  const run = localShell(fakeVirshBin(env));
  let last = '';
  const link = fakeConnection(async (call) => {
    const r = await run(call);
    last = r.stdout ?? '';
    return r;
  });
  return { ...link, args: () => virshArgs(last), stdout: () => last };
}
