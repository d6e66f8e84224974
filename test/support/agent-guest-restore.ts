import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestAgentCommand, guestExec } from '../lab/lab';
import { labUserHome } from './lab-operations';
import { labVirsh } from './snapshot-helpers';

/**
 * The lab's agent guest as a revert test found it, and the way back to exactly that, whatever a
 * test left: its original definition (disk data.qcow2, no backing chain), no snapshot metadata,
 * no file the test made in its folder, no marker, running with its agent answering. The chain's
 * writes are first folded into data.qcow2 while the guest runs (blockcommit --pivot); if that
 * cannot be done, the guest restarts on data.qcow2 as it is. Other tiers rely on this state.
 */
export interface AgentGuestSnapshot {
  uri: string;
  uuid: string;
  name: string;
  dir: string;
  restore: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `pid` is the revert runner of operation `op` (its command line names the op's folder). */
function isRunnerOf(pid: number, op: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => a.endsWith('runner.sh')) && argv.some((a) => a.endsWith(`/ops/${op}`));
  } catch {
    return false;
  }
}

/** The process is gone (or a zombie nobody reaped yet). */
export function processGone(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ')'));
  } catch {
    return true;
  }
}

export async function waitForAgent(name: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await guestAgentCommand(name, { execute: 'guest-ping' });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(500);
    }
  }
}

/**
 * Merges away whatever snapshots an earlier tier left (libvirt 9.0 deletes external ones), then
 * records the definition and the folder's files that `restore` brings back.
 */
export async function captureAgentGuest(
  uri: string,
  uuid: string,
  name: string,
): Promise<AgentGuestSnapshot> {
  const dir = `/tmp/quiesce-lab/guests/${name}`;
  const snapshotNames = () =>
    labVirsh(uri, 'snapshot-list', uuid, '--name', '--topological')
      .trim()
      .split('\n')
      .filter(Boolean);
  for (const n of snapshotNames().reverse())
    labVirsh(uri, 'snapshot-delete', '--domain', uuid, '--snapshotname', n);
  const originalXml = labVirsh(uri, 'dumpxml', uuid, '--inactive', '--security-info');
  if (!originalXml.includes(`${dir}/data.qcow2`) || originalXml.includes('<backingStore'))
    throw new Error(`the agent guest is not on ${dir}/data.qcow2 alone: ${originalXml}`);
  const xmlFile = join(tmpdir(), `quiesce-${name}-original-${process.pid}.xml`);
  writeFileSync(xmlFile, originalXml);
  const originalFiles = readdirSync(dir);
  await guestExec(name, '/bin/sh', ['-c', 'rm -f /data/marker-*; sync']);
  const revertOps = join(labUserHome(), '.quiesce', 'reverts', 'ops');
  const domstate = () => labVirsh(uri, 'domstate', uuid).trim();

  async function restore(): Promise<void> {
    const errors: string[] = [];
    const tryDo = (what: string, f: () => unknown) => {
      try {
        f();
      } catch (e) {
        errors.push(`${what}: ${(e as Error).message}`);
      }
    };
    // no revert runner may still be at work
    for (const op of existsSync(revertOps) ? readdirSync(revertOps) : []) {
      let pid = 0;
      try {
        pid = Number(readFileSync(join(revertOps, op, 'runner.pid'), 'utf8').trim() || 0);
      } catch {
        continue;
      }
      // Only that operation's own runner (`sh runner.sh …/ops/OP`): a finished run's pid may
      // belong to any process by now (a recover run leaves no `settled` file), and killing it
      // blindly killed unrelated processes on the machine (test workers among them).
      if (pid > 0 && !existsSync(join(revertOps, op, 'settled')) && isRunnerOf(pid, op))
        try {
          process.kill(pid, 'SIGKILL');
          for (let i = 0; i < 100 && !processGone(pid); i++) await sleep(50);
        } catch {
          /* already gone */
        }
    }
    const onBase = () => {
      try {
        return labVirsh(uri, 'domblklist', uuid).includes(join(dir, 'data.qcow2'));
      } catch {
        return false;
      }
    };
    if (/running/.test(domstate()) && !onBase()) {
      await guestExec(name, '/bin/sh', ['-c', 'rm -f /data/marker-*; sync']).catch(() => undefined);
      tryDo('blockcommit', () =>
        labVirsh(uri, 'blockcommit', uuid, 'vda', '--active', '--pivot', '--wait'),
      );
    }
    // children first, so no metadata names a parent that is gone
    for (const n of snapshotNames().reverse())
      tryDo(`forget ${n}`, () =>
        labVirsh(uri, 'snapshot-delete', '--domain', uuid, '--snapshotname', n, '--metadata'),
      );
    if (!/running/.test(domstate()) || !onBase())
      tryDo('destroy', () => labVirsh(uri, 'destroy', uuid));
    tryDo('define', () => labVirsh(uri, 'define', xmlFile));
    // a guest started here is booting: its agent is waited for, not taken for a stopped one
    const booting = !/running/.test(domstate());
    if (booting) tryDo('start', () => labVirsh(uri, 'start', uuid));
    // A guest whose agent a test stopped boots again to get it back. A running agent answers a
    // ping within a second or two even on a loaded machine; a stopped one never does, so 5 s.
    const agentUp = await waitForAgent(name, booting ? 90_000 : 5_000).then(
      () => true,
      () => false,
    );
    if (!agentUp) {
      tryDo('destroy (no agent)', () => labVirsh(uri, 'destroy', uuid));
      tryDo('start', () => labVirsh(uri, 'start', uuid));
      await waitForAgent(name).catch((e: Error) => errors.push(`agent: ${e.message}`));
    }
    await guestExec(name, '/bin/sh', ['-c', 'rm -f /data/marker-*; sync']).catch(() => undefined);
    for (const f of readdirSync(dir))
      if (!originalFiles.includes(f)) tryDo(`rm ${f}`, () => rmSync(join(dir, f)));
    // the branches the test recorded name files that are gone now
    rmSync(join(labUserHome(), '.quiesce', 'branches', `${uuid}.jsonl`), { force: true });
    const problems: string[] = [];
    if (labVirsh(uri, 'dumpxml', uuid, '--inactive', '--security-info') !== originalXml)
      problems.push('its definition is not the original one');
    if (snapshotNames().length > 0) problems.push(`snapshots left: ${snapshotNames().join(', ')}`);
    const files = readdirSync(dir).sort();
    if (files.join('\n') !== [...originalFiles].sort().join('\n'))
      problems.push(`files: ${files.join(', ')}`);
    if (!/running/.test(domstate())) problems.push(`it is ${domstate()}`);
    if (problems.length > 0)
      throw new Error(
        `the agent guest was not restored: ${problems.join('; ')} (${errors.join('; ')})`,
      );
  }
  return { uri, uuid, name, dir, restore };
}
