import { randomBytes } from 'node:crypto';
import runnerScript from '../host-scripts/snapshot-runner.sh?raw';
import { shellCommand } from '../shell/quote';
import { AppError } from '../app-error';

/** What the runner needs, one value a line in its `args` file (see read_args in the runner). */
export interface RunnerArgs {
  opId: string;
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
  /** A snapshot, or the doctor's test freeze (freeze and thaw with the same guards, no cut). */
  kind: 'snapshot' | 'test-freeze';
}

/** A new operation id: sortable by time, unique, safe as a folder name. */
export function newOpId(now = new Date()): string {
  const ts = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${ts}-${randomBytes(4).toString('hex')}`;
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

/** One line per value: a value with a line break (or NUL) would shift every later one. */
function argLine(v: string | number): string {
  const s = String(v);
  if (/[\n\r\0]/.test(s))
    throw new AppError('invalid-input', 'A value for the host runner contains a line break.');
  return s;
}

/** A here-document delimiter that does not occur in the text it closes. */
function delimiterFor(...texts: string[]): string {
  for (;;) {
    const d = `QUIESCE_EOF_${randomBytes(8).toString('hex')}`;
    if (!texts.some((t) => t.includes(d))) return d;
  }
}

/**
 * The script one SSH exec runs to start an operation: it writes the runner, its arguments and
 * the escaped description into a fresh operation folder under the host dir, starts the runner
 * detached from the session (setsid: a dropped link cannot stop it), and prints the folder.
 */
export function launchScript(args: RunnerArgs, description: string): string {
  const values = [
    args.opId,
    args.uri,
    args.uuid,
    args.name,
    args.policy,
    args.maxFreezeS,
    args.agentTimeoutS,
    '__HOSTDIR__',
    args.workstation,
    args.user,
    args.holdFrozenMs,
    args.kind,
  ].map(argLine);
  const desc = xmlEscape(description);
  const eof = delimiterFor(runnerScript, desc);
  return [
    'set -eu',
    'umask 077',
    'HOSTDIR=$1 OP=$2',
    'case $HOSTDIR in /*) ;; *) HOSTDIR=$HOME/$HOSTDIR ;; esac',
    'mkdir -p "$HOSTDIR/ops"',
    'OPDIR=$HOSTDIR/ops/$OP',
    'mkdir "$OPDIR"',
    'cd "$OPDIR"',
    `cat >runner.sh <<'${eof}'`,
    runnerScript.replace(/\n?$/, '\n') + eof,
    `cat >description.xml <<'${eof}'`,
    desc + '\n' + eof,
    // printf builtin: no value ever passes through a shell parser again.
    `printf '%s\\n' ${values.map((v) => (v === '__HOSTDIR__' ? '"$HOSTDIR"' : shellCommand([v]))).join(' ')} >args`,
    ': >journal.jsonl',
    'if command -v setsid >/dev/null 2>&1; then setsid sh runner.sh "$OPDIR" </dev/null >runner.log 2>&1 &',
    'else nohup sh runner.sh "$OPDIR" </dev/null >runner.log 2>&1 & fi',
    'echo "$OPDIR"',
    '',
  ].join('\n');
}

/** The exec that runs the launch script: `sh -s -- HOSTDIR OPID`, the script on stdin. */
export function launchCommand(hostDir: string, opId: string): string {
  return shellCommand(['sh', '-s', '--', hostDir, opId]);
}
