import { randomBytes } from 'node:crypto';
import hostLib from '../host-scripts/host-lib.sh?raw';
import launchPrelude from '../host-scripts/launch.sh?raw';
import readOperationBody from '../host-scripts/read-operation.sh?raw';
import runnerAlive from '../host-scripts/runner-alive.sh?raw';
import runnerScript from '../host-scripts/snapshot-runner.sh?raw';
import virshSession from '../host-scripts/virsh-session.sh?raw';
import watchdogScript from '../host-scripts/watchdog.sh?raw';
import { shellCommand } from '../shell/quote';
import { AppError } from '../app-error';
import type { SshConnection } from '../ssh/ssh-connection';

/**
 * What the host runner is told, by name: the `args` file holds one `name=value` line each, and
 * the runner (read_args in snapshot-runner.sh) reads them by these names and checks each value
 * again. `hostDir` is added on the host, where the SSH user's home is known.
 */
export interface RunnerArgs {
  op: string;
  uri: string;
  uuid: string;
  name: string;
  policy: 'require' | 'allow-crash-consistent';
  maxFreezeS: number;
  agentTimeoutS: number;
  workstation: string;
  user: string;
  /** Fault injection for tests: hold the guest frozen this long before the cut. Never from the UI. */
  holdFrozenMs: number;
  /** A full checkpoint (memory with the disks), of a paused guest: snapshot-runner.sh. */
  memory?: boolean;
  /** A snapshot, or the doctor's test freeze (freeze and thaw with the same guards, no cut). */
  kind: 'snapshot' | 'test-freeze';
  /** Free text (line breaks too): sent base64, XML-escaped by the runner only. */
  description: string;
}

/** A new operation id: sortable by time, unique, safe as a folder name. */
export function newOpId(now = new Date()): string {
  const ts = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${ts}-${randomBytes(4).toString('hex')}`;
}

/**
 * An `args` file: one `name=value` line each, read by name (read_args in host-lib.sh); `runner`
 * names the runner in the error. A value with a line break would start another name: refused.
 */
export function argsFileText(runner: string, entries: readonly (readonly [string, string])[]) {
  for (const [key, value] of entries) {
    if (/[\n\r\0]/.test(value))
      throw new AppError(
        'invalid-input',
        `The value of “${key}” for ${runner} contains a line break.`,
      );
  }
  return entries.map(([key, value]) => `${key}=${value}\n`).join('');
}

/** The snapshot runner's `args` file; the description (free text) goes base64. */
export function runnerArgsText(args: RunnerArgs): string {
  return argsFileText(
    'the host runner',
    Object.entries(args).map(([key, v]) => [
      key,
      key === 'description' ? Buffer.from(String(v), 'utf8').toString('base64') : String(v),
    ]),
  );
}

/** The folder under the host folder whose `ops` hold the operations of one runner (reverts…). */
export function runnerDir(hostDir: string, name: string): string {
  return `${hostDir.replace(/\/+$/, '')}/${name}`;
}

/** A here-document delimiter that does not occur in the text it closes. */
function delimiterFor(texts: readonly string[]): string {
  for (;;) {
    const d = `QUIESCE_EOF_${randomBytes(8).toString('hex')}`;
    if (!texts.some((t) => t.includes(d))) return d;
  }
}

/**
 * A script for one SSH exec that writes files on the host and then acts on them: host-lib.sh and
 * the PRELUDE (which makes and checks the folder), each file as a quoted here-document (every byte
 * arrives as data; a final line break is added only where a text has none), then CALL, a function
 * of the prelude.
 */
export function filesScript(
  prelude: string,
  files: readonly (readonly [string, string])[],
  call: string,
): string {
  const eof = delimiterFor(files.map(([, text]) => text));
  return [
    hostLib.replace(/\n?$/, '\n'),
    prelude.replace(/\n?$/, '\n'),
    ...files.map(
      ([file, text]) => `cat >${file} <<'${eof}'\n${text.replace(/\n?$/, '\n')}${eof}\n`,
    ),
    `${call}\n`,
  ].join('');
}

/**
 * The script one SSH exec runs to start a detached host operation: host-scripts/launch.sh with its
 * files (filesScript), then `start`, which runs `runner.sh` detached.
 */
export function launchScriptOf(files: readonly (readonly [string, string])[]): string {
  return filesScript(launchPrelude, files, 'start');
}

/**
 * The launch of a runner that freezes a guest (the snapshot's, the export's): the helpers it
 * sources (host-lib.sh, virsh-session.sh), the runner, the watchdog it arms, its `args` file.
 */
export function freezingRunnerLaunch(runner: string, argsText: string): string {
  return launchScriptOf([
    ['host-lib.sh', hostLib],
    ['virsh-session.sh', virshSession],
    ['runner.sh', runner],
    ['watchdog.sh', watchdogScript],
    ['args', argsText],
  ]);
}

/** The snapshot runner's launch. */
export function launchScript(args: RunnerArgs): string {
  return freezingRunnerLaunch(runnerScript, runnerArgsText(args));
}

/**
 * Runs a launch script (launchScriptOf) in OPSPARENT/ops/OPID on the host; `what` names the
 * runner in the error when it could not be started.
 */
export async function startOnHost(
  conn: SshConnection,
  opsParent: string,
  opId: string,
  script: string,
  what: string,
): Promise<void> {
  const r = await conn.exec(launchCommand(opsParent, opId), { stdin: script, timeoutMs: 30_000 });
  if (r.code !== 0) {
    throw new AppError('host-command-failed', `${what} could not be started on the host.`, {
      cause: r.stderr.trim() || `exit status ${r.code}`,
      remedy: `Check that the SSH user owns ${opsParent} on the host and that no one else may write to it.`,
    });
  }
}

/**
 * A new detached operation: a new id (newOpId), the launch script SCRIPT makes for it (it may ask
 * the host first: a revert plans with the id), started in OPSPARENT/ops/OPID (startOnHost).
 */
export async function startOperation(
  conn: SshConnection,
  opsParent: string,
  what: string,
  script: (opId: string) => string | Promise<string>,
): Promise<{ opId: string }> {
  const opId = newOpId();
  await startOnHost(conn, opsParent, opId, await script(opId), what);
  return { opId };
}

/** read-operation.sh as it is sent: runner_alive (runner-alive.sh) in front of it. */
const readOperationScript = `${runnerAlive}\n${readOperationBody}`;

/**
 * A detached operation's state on the host (host-scripts/read-operation.sh): whether its runner
 * still runs, and its journal; undefined when there is no such operation.
 */
export async function readOperation(
  conn: SshConnection,
  opsParent: string,
  opId: string,
): Promise<{ alive: boolean; journal: string } | undefined> {
  const r = await conn.exec(
    shellCommand(['sh', '-c', readOperationScript, 'sh', opsParent, opId]),
    {
      timeoutMs: 30_000,
    },
  );
  if (r.code === 3) return undefined;
  if (r.code !== 0) {
    throw new AppError('host-command-failed', `Operation ${opId} could not be read on the host.`, {
      cause: r.stderr.trim() || `exit status ${r.code}`,
      remedy: `Check that the SSH user can read ${opsParent} on the host.`,
    });
  }
  const nl = r.stdout.indexOf('\n');
  return { alive: r.stdout.slice(0, nl).trim() === '1', journal: r.stdout.slice(nl + 1) };
}

/** The exec that runs the launch script: `sh -s -- HOSTDIR OPID`, the script on stdin. */
export function launchCommand(hostDir: string, opId: string): string {
  return shellCommand(['sh', '-s', '--', hostDir, opId]);
}
