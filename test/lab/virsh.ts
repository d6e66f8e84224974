/**
 * virsh as the lab's own tool (run locally as root against qemu:///system). The app under test
 * speaks to libvirt over SSH its own way; these helpers exist to set the lab up and to let tests
 * poke the guests (agent commands, the writer) from the side.
 */
import { LIBVIRT_URI } from './config.js';
import { LabError, run, sleep, type RunResult } from './exec.js';

export function virsh(
  args: readonly string[],
  opts: { check?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run('virsh', ['-q', '-c', LIBVIRT_URI, ...args], {
    check: opts.check ?? true,
    timeoutMs: opts.timeoutMs ?? 60_000,
    env: { ...process.env, LC_ALL: 'C' },
  });
}

/** "running", "shut off", "paused"…, or undefined when no such domain is defined. */
export async function domainState(name: string): Promise<string | undefined> {
  const res = await virsh(['domstate', name], { check: false });
  return res.code === 0 ? res.stdout.trim() : undefined;
}

/**
 * Sends one QMP-style command to qemu-ga through libvirt and returns its `return` value.
 * `timeoutSec` bounds libvirt's wait for the agent (else its default, 5 s for the sync).
 */
export async function agentCommand(
  domain: string,
  command: string | { execute: string; arguments?: Record<string, unknown> },
  opts: { timeoutSec?: number } = {},
): Promise<unknown> {
  const json = typeof command === 'string' ? command : JSON.stringify(command);
  const args = ['qemu-agent-command', domain, json];
  if (opts.timeoutSec !== undefined) args.push('--timeout', String(opts.timeoutSec));
  const res = await virsh(args, { check: false, timeoutMs: ((opts.timeoutSec ?? 30) + 30) * 1000 });
  if (res.code !== 0) {
    throw new LabError(
      `qemu-agent-command ${json} on ${domain} failed: ${res.stderr.trim() || res.stdout.trim()}`,
    );
  }
  const parsed = JSON.parse(res.stdout) as { return?: unknown };
  return parsed.return;
}

export interface GuestExecResult {
  exitcode: number;
  stdout: string;
  stderr: string;
}

/** Runs a program in the guest through the agent (guest-exec) and waits for it to finish. */
export async function guestExec(
  domain: string,
  path: string,
  args: readonly string[] = [],
  opts: { timeoutMs?: number } = {},
): Promise<GuestExecResult> {
  const started = (await agentCommand(domain, {
    execute: 'guest-exec',
    arguments: { path, arg: args, 'capture-output': true },
  })) as { pid: number };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const st = (await agentCommand(domain, {
      execute: 'guest-exec-status',
      arguments: { pid: started.pid },
    })) as {
      exited: boolean;
      exitcode?: number;
      signal?: number;
      'out-data'?: string;
      'err-data'?: string;
    };
    if (st.exited) {
      return {
        exitcode: st.exitcode ?? 128 + (st.signal ?? 0),
        stdout: Buffer.from(st['out-data'] ?? '', 'base64').toString('utf8'),
        stderr: Buffer.from(st['err-data'] ?? '', 'base64').toString('utf8'),
      };
    }
    if (Date.now() > deadline)
      throw new LabError(
        `guest-exec ${path} ${args.join(' ')} on ${domain} did not finish in time`,
      );
    await sleep(50);
  }
}
