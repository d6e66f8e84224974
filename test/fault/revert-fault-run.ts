/**
 * Runs the real revert runner (launch.sh → revert-runner.sh, as shipped) against the scripted
 * virsh of fake-revert-virsh.sh (also played as qemu-img and as the journal's clock, `date`), in
 * a throw-away host folder: one domain whose one disk vda is data.B.qcow2, reverted to snapshot A
 * (frozen image data.qcow2). What a test reads back: the journal, the fake domain's definition
 * and state, the overlays, the discarded branches, every call made.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newOpId } from '../../electron/services/snapshot/launch';
import {
  revertDir,
  revertLaunchCommand,
  revertLaunchScript,
} from '../../electron/services/revert/revert-launch';
import {
  branchRecord,
  keepDisks,
  planText,
  pointDisksAt,
  revertDisks,
} from '../../electron/services/revert/revert-plan';
import { readRevertLines, summarizeRevert } from '../../electron/services/revert/revert-journal';
import { readBranches } from '../../electron/services/revert/branches';

const FAKE = join(dirname(fileURLToPath(import.meta.url)), 'fake-revert-virsh.sh');
export const REVERT_UUID = '00000000-0000-4000-8000-00000000000b';

/** A file's text, or '' once it is gone (a /proc entry can go between any two looks). */
const read = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One fake host: call `revert` / `recover` any number of times on it. */
export function revertFaultHost(roots: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'quiesce-revert-fault-'));
  roots.push(root);
  const hostDir = join(root, 'host');
  const state = join(root, 'state');
  const images = join(root, 'images');
  const bin = join(root, 'bin');
  for (const d of [hostDir, state, images, bin]) mkdirSync(d, { mode: 0o700 });
  // sourced (not run) so that its $0 is the name it plays: bin/NAME itself, one shell a call (not
  // a shell that starts another)
  for (const name of ['virsh', 'qemu-img', 'date']) {
    writeFileSync(join(bin, name), `#!/bin/sh\n. '${FAKE}'\n`);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(state, 'plan'), '');
  writeFileSync(join(state, 'domstate'), 'running\n');
  writeFileSync(join(images, 'data.qcow2'), '');
  writeFileSync(join(images, 'data.B.qcow2'), '');
  writeFileSync(join(images, 'data.A.mem'), '');
  const original = `<domain type='kvm'>\n  <uuid>${REVERT_UUID}</uuid>\n  <devices>\n    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source file='${images}/data.B.qcow2'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>\n  </devices>\n</domain>\n`;
  writeFileSync(join(state, 'def.xml'), original);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_STATE: state };
  const opDir = (opId: string) => join(revertDir(hostDir), 'ops', opId);
  const journalOf = (opId: string) => read(join(opDir(opId), 'journal.jsonl'));

  interface LaunchOpts {
    allowForce?: boolean;
    stopTimeoutS?: number;
    procedure?: 'libvirt' | 'quiesce';
    /** A full checkpoint: its memory image (images/data.A.mem, made here). */
    memory?: boolean;
  }
  interface Launched {
    opId: string;
    overlay: string | null;
    keep: string | null;
  }
  /** The run's launch command's input, and what the run is. */
  function prepare(mode: 'revert' | 'recover', opts: LaunchOpts): Launched & { script: string } {
    const opId = newOpId();
    const before = read(join(state, 'def.xml'));
    const disks =
      mode === 'revert'
        ? revertDisks(
            before,
            new Map([['vda', { file: `${images}/data.qcow2`, format: 'qcow2' }]]),
            opId,
          )
        : [];
    const script = revertLaunchScript(
      {
        op: opId,
        uri: 'test:///fake',
        uuid: REVERT_UUID,
        mode,
        targetKind: mode === 'revert' ? 'snapshot' : 'none',
        target: mode === 'revert' ? 'A' : '',
        current: mode === 'revert' ? 'A' : '',
        allowForce: opts.allowForce ?? false,
        procedure: opts.procedure ?? 'quiesce',
        stopTimeoutS: opts.stopTimeoutS ?? 2,
        bootWaitS: 1,
        agentTimeoutS: 2,
        workstation: 'test',
        user: 'test',
      },
      mode === 'revert'
        ? {
            plan: planText(opts.procedure === 'libvirt' ? keepDisks(before, disks, opId) : disks),
            before,
            after: opts.procedure === 'libvirt' ? before : pointDisksAt(before, disks),
            branch: branchRecord(opId, REVERT_UUID, { kind: 'snapshot', name: 'A' }, 'B', disks, [
              'B',
              ...(opts.procedure === 'libvirt' ? [`quiesce-keep-${opId}`] : []),
            ]),
            ...(opts.memory
              ? {
                  memory: {
                    file: join(images, 'data.A.mem'),
                    restoreXml: pointDisksAt(before, disks),
                  },
                }
              : {}),
          }
        : undefined,
    );
    return {
      script,
      opId,
      overlay: disks[0]?.overlay ?? null,
      keep: mode === 'revert' ? keepDisks(before, disks, opId)[0]!.overlay : null,
    };
  }
  /** Launches a run (it goes on detached) and returns what it is. */
  function launch(mode: 'revert' | 'recover', opts: LaunchOpts = {}): Launched {
    const { script, ...run } = prepare(mode, opts);
    execFileSync('sh', ['-c', revertLaunchCommand(hostDir, run.opId)], { input: script, env });
    return run;
  }
  /**
   * The same, without blocking the worker: the launch waits on the runner's start for a moment
   * (a loaded machine's process starts), which concurrent cases spend on their own runs.
   */
  async function launchAsync(mode: 'revert' | 'recover', opts: LaunchOpts = {}): Promise<Launched> {
    const { script, ...run } = prepare(mode, opts);
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'sh',
        ['-c', revertLaunchCommand(hostDir, run.opId)],
        { env },
        (err) => (err ? reject(err) : resolve()),
      );
      child.stdin!.end(script);
    });
    return run;
  }

  /** The runner's pid, from its journal's start line (0 before it wrote one). */
  const runnerPid = (opId: string) => Number(/"pid":(\d+)/.exec(journalOf(opId))?.[1] ?? 0);
  const alive = (pid: number) => {
    if (!pid) return false;
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    return !/\) Z /.test(read(`/proc/${pid}/stat`));
  };

  /** Waits until the run wrote its end line, or its runner died without one. */
  async function settleOf(opId: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    let pid = 0;
    for (;;) {
      const j = journalOf(opId);
      pid ||= runnerPid(opId);
      if (j.includes('"ev":"end"')) break;
      if (pid && !alive(pid)) break;
      if (Date.now() > deadline) throw new Error(`the run ${opId} neither ended nor died: ${j}`);
      await sleep(30);
    }
    const lines = readRevertLines(journalOf(opId));
    return summarizeRevert(opId, lines, !alive(pid));
  }

  /** Every disk file the fake domain's persistent definition names. */
  const definedFiles = () =>
    [...read(join(state, 'def.xml')).matchAll(/<source file=['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  const branchesFile = join(hostDir, 'branches', `${REVERT_UUID}.jsonl`);
  return {
    root,
    hostDir,
    state,
    images,
    env,
    original,
    launch,
    launchAsync,
    settleOf,
    runnerPid,
    alive,
    opDir,
    journalOf,
    definedFiles,
    plan: (lines: string[]) => writeFileSync(join(state, 'plan'), lines.join('\n') + '\n'),
    killAt: (phase: string, n: number) => {
      writeFileSync(join(state, 'kill-at'), `${phase} ${n}\n`);
      writeFileSync(join(state, 'kill-count'), '0\n');
    },
    def: () => read(join(state, 'def.xml')),
    setDomstate: (v: string) => writeFileSync(join(state, 'domstate'), `${v}\n`),
    domstate: () => read(join(state, 'domstate')).trim(),
    trace: () => read(join(state, 'trace')),
    branchLines: () => read(branchesFile).split('\n').filter(Boolean),
    branches: () => readBranches(read(branchesFile)),
  };
}
