/**
 * Runs the real export runner (launch.sh → export-runner.sh → watchdog.sh, exactly as shipped)
 * against the scripted fake virsh/qemu-img of fake-export-virsh.sh, under a chosen POSIX shell,
 * with an optional signal or cancel at a chosen moment; waits until every process it started is
 * gone; and returns what matters afterwards: the fake guest, the destination, the journal, the lock.
 * The same shape as fault-run.ts (the snapshot runner's).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exportDir,
  exportLaunchCommand,
  exportLaunchScript,
  type ExportArgs,
} from '../../electron/services/export/export-launch';
import { readExportLines, summarizeExport } from '../../electron/services/export/export-journal';
import { newOpId } from '../../electron/services/snapshot/launch';
import { ExportManifestSchema, type ExportManifest, type ExportSummary } from '../../shared/export';
import {
  lockIsFree,
  readIf as read,
  watchRun,
  writeFakeBin,
  type RunSignal,
  type RunWatch,
  type Shell,
} from './run-watch';

const here = dirname(fileURLToPath(import.meta.url));
const FAKE = join(here, 'fake-export-virsh.sh');
export const FAKE_UUID = '00000000-0000-4000-8000-00000000000a';

export interface ExportFaultSpec {
  shell: Shell;
  plan?: string[];
  mode?: ExportArgs['mode'];
  policy?: ExportArgs['policy'];
  maxFreezeS?: number;
  holdFrozenMs?: number;
  copyMs?: number;
  /** The disk's virtual size (default 64 MiB). */
  diskBytes?: number;
  signal?: RunSignal;
  /** Writes the cancel file (as export-cancel.sh does) once this holds. */
  cancelWhen?: (w: ExportWatch) => boolean;
  timeoutMs?: number;
  /** Export this existing snapshot (its frozen images) instead of the domain now. */
  snapshot?: string;
  /** Prepares the fake host before the run (images, snapshots, the host's history). */
  setup?: (h: ExportHost) => void;
}
export type ExportWatch = RunWatch;
export interface ExportHost {
  root: string;
  hostDir: string;
  dest: string;
  state: string;
  env: NodeJS.ProcessEnv;
  setState: (file: string, value: string) => void;
}
export interface ExportOutcome {
  opId: string;
  journal: string;
  invalidLines: string[];
  summary: ExportSummary;
  frozen: number;
  trace: string[];
  /** Every file under the destination, relative to it. */
  destFiles: string[];
  checkpoints: string[];
  jobRunning: boolean;
  lockFree: boolean;
  leftovers: string[];
  ended: boolean;
  host: ExportHost;
}

function walk(dir: string, root = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? [relative(root, join(dir, e.name)) + '/', ...walk(join(dir, e.name), root)]
      : [relative(root, join(dir, e.name))],
  );
}

/** A fake host: fake virsh and qemu-img first on PATH, one running domain with one disk. */
export function exportHost(spec: ExportFaultSpec): ExportHost {
  const root = mkdtempSync(join(tmpdir(), 'quiesce export fault '));
  const bin = join(root, 'bin');
  const hostDir = join(root, 'home dir', '.quiesce');
  const state = join(root, 'state');
  const dest = join(root, 'backup "disk"');
  for (const d of [bin, hostDir, state, join(state, 'checkpoints'), dest])
    mkdirSync(d, { recursive: true });
  chmodSync(root, 0o755);
  chmodSync(dest, 0o755);
  writeFakeBin(bin, spec.shell, FAKE);
  const setState = (file: string, value: string) => writeFileSync(join(state, file), value + '\n');
  setState('top', join(root, 'images', 'data.qcow2'));
  setState('frozen', '0');
  setState('domstate', 'running');
  if (spec.diskBytes) setState('size', String(spec.diskBytes));
  setState('copy-ms', String(spec.copyMs ?? 1500));
  const env = {
    PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: join(root, 'home dir'),
    FAKE_STATE: state,
    LC_ALL: 'C',
  };
  return { root, hostDir, dest, state, env, setState };
}

export async function exportFaultRun(
  spec: ExportFaultSpec,
  reuse?: ExportHost,
): Promise<ExportOutcome> {
  const host = reuse ?? exportHost(spec);
  if (!reuse) spec.setup?.(host);
  const { state, hostDir, dest, env } = host;
  writeFileSync(join(state, 'plan'), (spec.plan ?? []).join('\n') + '\n');
  host.setState('copy-ms', String(spec.copyMs ?? 1500));
  for (const f of readdirSync(state)) if (f.startsWith('count.')) rmSync(join(state, f));
  rmSync(join(state, 'trace'), { force: true });
  const opId = newOpId();
  await new Promise<void>((resolve, reject) => {
    const child = execFile('sh', ['-c', exportLaunchCommand(hostDir, opId)], { env }, (err) =>
      err ? reject(err) : resolve(),
    );
    child.stdin!.end(
      exportLaunchScript({
        op: opId,
        uri: 'test:///fake',
        uuid: FAKE_UUID,
        dest,
        mode: spec.mode ?? 'full',
        policy: spec.policy ?? 'require',
        // far enough that a loaded machine's slow fakes do not fire it: the cases about the
        // watchdog ask for 1 s
        maxFreezeS: spec.maxFreezeS ?? 10,
        agentTimeoutS: 1,
        workstation: 'ws "one"',
        user: "o'brien",
        holdFrozenMs: spec.holdFrozenMs ?? 0,
        pollMs: 100,
        ...(spec.snapshot ? { snapshot: spec.snapshot } : {}),
      }),
    );
  });
  const dir = join(exportDir(hostDir), 'ops', opId);
  let cancelled = !spec.cancelWhen;
  const { ended, leftovers } = await watchRun({
    dir,
    traceFile: join(state, 'trace'),
    timeoutMs: spec.timeoutMs ?? 30_000,
    ...(spec.signal ? { signal: spec.signal } : {}),
    tick: (w) => {
      if (cancelled || !spec.cancelWhen?.(w)) return;
      execFileSync('sh', ['-c', read(CANCEL), 'sh', exportDir(hostDir), opId], { env });
      cancelled = true;
    },
  });
  const journal = read(join(dir, 'journal.jsonl'));
  const lines = readExportLines(journal);
  const invalidLines = journal
    .split('\n')
    .filter((l) => l.trim() !== '' && readExportLines(l).length !== 1);
  return {
    opId,
    journal,
    invalidLines,
    summary: summarizeExport(opId, lines, true),
    frozen: Number(read(join(state, 'frozen')).trim() || 0),
    trace: read(join(state, 'trace')).split('\n').filter(Boolean),
    destFiles: walk(dest),
    checkpoints: readdirSync(join(state, 'checkpoints')),
    jobRunning: existsSync(join(state, 'job')),
    lockFree: lockIsFree(join(hostDir, 'locks', `${FAKE_UUID}.lock`)),
    leftovers,
    ended,
    host,
  };
}
const CANCEL = join(here, '../../electron/services/host-scripts/export-cancel.sh');

export function cleanupExport(o: ExportOutcome): void {
  rmSync(o.host.root, { recursive: true, force: true });
}

/** The promises for any run, whatever its faults. Returns what broke. */
export function brokenExportPromises(o: ExportOutcome): string[] {
  const broken: string[] = [];
  if (!o.ended) broken.push(`did not end: ${o.leftovers.join('; ')}`);
  if (o.frozen > 0) broken.push(`left frozen (${o.frozen} filesystems)`);
  if (o.invalidLines.length > 0)
    broken.push(`invalid journal lines: ${o.invalidLines.join(' | ')}`);
  if (!o.lockFree) broken.push('the lock is still held');
  if (o.leftovers.length > 0) broken.push(`processes left: ${o.leftovers.join('; ')}`);
  const ok = o.summary.state === 'succeeded';
  // A runner killed outright (no exit trap: state "lost") leaves its files for the next export
  // of the domain to settle, but never one that looks complete: only *.partial, no manifest.
  const killed = o.summary.state === 'lost';
  const own = o.destFiles.filter((f) => f.includes(o.opId) && !f.endsWith('/'));
  if (!killed && o.destFiles.some((f) => f.endsWith('.partial')))
    broken.push(`partial files left: ${o.destFiles.join(', ')}`);
  if (ok && !own.some((f) => f.endsWith('/manifest.json'))) broken.push('says ok, but no manifest');
  if (!ok && !killed && o.destFiles.some((f) => f.includes(o.opId)))
    broken.push(`failed, but left files: ${own.join(', ')}`);
  if (!killed && o.jobRunning) broken.push('a backup job is left running');
  if (killed && own.some((f) => !f.endsWith('.partial')))
    broken.push(`killed, and left files that look complete: ${own.join(', ')}`);
  if (!ok && !killed && o.checkpoints.includes(`quiesce-${o.opId}`))
    broken.push('failed, but left its checkpoint');
  // The cut happened only while frozen when the run says quiesced (an existing snapshot's
  // export copies its frozen images with qemu-img convert: its cut was that snapshot's).
  if (
    o.summary.consistency?.label === 'quiesced' &&
    !o.trace.some((l) => l.startsWith('convert-start'))
  ) {
    const start = o.trace.find((l) => l.startsWith('cut-start'));
    const end = o.trace.find((l) => l.startsWith('cut-end'));
    const frozenIn = (l?: string) => Number(/frozen=(\d+)/.exec(l ?? '')?.[1] ?? 0) > 0;
    if (!frozenIn(start) || !frozenIn(end)) broken.push('labelled quiesced, cut while thawed');
  }
  return broken;
}

/** The manifest the run's export wrote, parsed. */
export function manifestOf(o: ExportOutcome): ExportManifest {
  const file = o.destFiles.find((f) => f.endsWith(`${o.opId}/manifest.json`));
  if (!file) throw new Error(`no manifest of ${o.opId}: ${o.destFiles.join(', ')}`);
  return ExportManifestSchema.parse(JSON.parse(readFileSync(join(o.host.dest, file), 'utf8')));
}

/**
 * Runs `spec`, then checks the promises of every run and `check`; a failure carries the host's
 * folder, the journal and the trace. The fake host is removed when all holds (kept to look at
 * otherwise).
 */
export async function checkedExportRun(
  spec: ExportFaultSpec,
  check: (o: ExportOutcome) => void,
): Promise<void> {
  const o = await exportFaultRun(spec);
  try {
    const broken = brokenExportPromises(o);
    if (broken.length > 0) throw new Error(`broken promises: ${broken.join('; ')}`);
    check(o);
  } catch (err) {
    (err as Error).message +=
      `\n--- ${o.host.root}\n${o.journal}\n--- trace\n${o.trace.join('\n')}`;
    throw err;
  }
  cleanupExport(o);
}
