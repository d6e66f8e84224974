import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
  planText,
  pointDisksAt,
  revertDisks,
} from '../../electron/services/revert/revert-plan';
import { readRevertLines, summarizeRevert } from '../../electron/services/revert/revert-journal';
import { readBranches } from '../../electron/services/revert/branches';

/**
 * The real revert runner (launch.sh → revert-runner.sh, as shipped) against a scripted virsh
 * (test/fault/fake-revert-virsh.sh): what it leaves when the guest will not stop, when libvirt
 * refuses the new definition, and when all goes well.
 */
const FAKE = join(dirname(fileURLToPath(import.meta.url)), '../fault/fake-revert-virsh.sh');
const UUID = '00000000-0000-4000-8000-00000000000b';
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

async function run(plan: string[], opts: { allowForce?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'quiesce-revert-fault-'));
  roots.push(root);
  const hostDir = join(root, 'host');
  const state = join(root, 'state');
  const images = join(root, 'images');
  const bin = join(root, 'bin');
  for (const d of [hostDir, state, images, bin]) mkdirSync(d, { mode: 0o700 });
  for (const name of ['virsh', 'qemu-img']) {
    writeFileSync(
      join(bin, name),
      `#!/bin/sh\nexec sh -c 'f=$1; shift; . "$f"' ${name} ${FAKE} "$@"\n`,
    );
    chmodSync(join(bin, name), 0o755);
  }
  // sourced (not run) so that its $0 is the name it plays
  writeFileSync(join(state, 'plan'), plan.join('\n') + '\n');
  writeFileSync(join(state, 'domstate'), 'running\n');
  writeFileSync(join(images, 'data.qcow2'), '');
  writeFileSync(join(images, 'data.B.qcow2'), '');
  const before = `<domain type='kvm'>\n  <uuid>${UUID}</uuid>\n  <devices>\n    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source file='${images}/data.B.qcow2'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>\n  </devices>\n</domain>\n`;
  writeFileSync(join(state, 'def.xml'), before);
  const opId = newOpId();
  const disks = revertDisks(
    before,
    new Map([['vda', { file: `${images}/data.qcow2`, format: 'qcow2' }]]),
    opId,
  );
  const script = revertLaunchScript(
    {
      op: opId,
      uri: 'test:///fake',
      uuid: UUID,
      mode: 'revert',
      targetKind: 'snapshot',
      target: 'A',
      current: 'A',
      allowForce: opts.allowForce ?? false,
      stopTimeoutS: 2,
      bootWaitS: 1,
      agentTimeoutS: 2,
      workstation: 'test',
      user: 'test',
    },
    {
      plan: planText(disks),
      before,
      after: pointDisksAt(before, disks),
      branch: branchRecord(opId, UUID, { kind: 'snapshot', name: 'A' }, 'B', disks, ['B']),
    },
  );
  const cmd = revertLaunchCommand(hostDir, opId);
  execFileSync('sh', ['-c', cmd], {
    input: script,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_STATE: state },
  });
  const opDir = join(revertDir(hostDir), 'ops', opId);
  const journalFile = join(opDir, 'journal.jsonl');
  const deadline = Date.now() + 20_000;
  while (!readFileSync(journalFile, 'utf8').includes('"ev":"end"') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const lines = readRevertLines(readFileSync(journalFile, 'utf8'));
  return {
    summary: summarizeRevert(opId, lines, true),
    overlay: disks[0]!.overlay,
    def: readFileSync(join(state, 'def.xml'), 'utf8'),
    before,
    domstate: readFileSync(join(state, 'domstate'), 'utf8').trim(),
    trace: readFileSync(join(state, 'trace'), 'utf8'),
    branches: existsSync(join(hostDir, 'branches', `${UUID}.jsonl`))
      ? readBranches(readFileSync(join(hostDir, 'branches', `${UUID}.jsonl`), 'utf8'))
      : [],
  };
}

describe('revert runner faults (fake virsh)', () => {
  it('goes all the way: overlay made before the stop, definition switched, branch recorded, guest started', async () => {
    const r = await run([]);
    expect(r.summary, JSON.stringify(r.summary)).toMatchObject({
      state: 'succeeded',
      outcome: 'finished',
    });
    expect(existsSync(r.overlay)).toBe(true);
    expect(r.def).toContain(r.overlay);
    expect(r.domstate).toBe('running');
    const calls = r.trace.split('\n');
    const at = (re: RegExp) => calls.findIndex((c) => re.test(c));
    expect(at(/^create /)).toBeLessThan(at(/^shutdown /));
    expect(at(/^shutdown /)).toBeLessThan(at(/^define /));
    expect(at(/^define /)).toBeLessThan(at(/^start /));
    expect(r.branches).toHaveLength(1);
    expect(r.branches[0]).toMatchObject({ from: 'B', snapshots: ['B'] });
    expect(r.branches[0]!.disks[0]!.top).toMatch(/data\.B\.qcow2$/);
  });

  it('a guest that will not stop, without leave to power it off: rolled back, nothing changed', async () => {
    const r = await run(['shutdown ignore']);
    expect(r.summary).toMatchObject({
      state: 'failed',
      failedPhase: 'stop',
      outcome: 'rolled-back',
    });
    expect(r.def).toBe(r.before);
    expect(existsSync(r.overlay)).toBe(false);
    expect(r.trace).not.toMatch(/^destroy/m);
    expect(r.domstate).toBe('running');
    expect(r.branches).toEqual([]);
  });

  it('the same guest, with leave to power it off: destroyed after the timeout, then reverted', async () => {
    const r = await run(['shutdown ignore'], { allowForce: true });
    expect(r.summary).toMatchObject({ state: 'succeeded', outcome: 'finished' });
    expect(r.trace).toMatch(/^destroy/m);
    expect(r.def).toContain(r.overlay);
  });

  it('libvirt refuses the new definition: rolled back, the guest started again on its old disk', async () => {
    const r = await run(['define fail']);
    expect(r.summary).toMatchObject({
      state: 'failed',
      failedPhase: 'switch',
      outcome: 'rolled-back',
    });
    expect(r.def).toBe(r.before);
    expect(existsSync(r.overlay)).toBe(false);
    expect(r.domstate).toBe('running');
    expect(r.branches).toEqual([]);
  });

  it('the overlay cannot be made: the guest is never stopped', async () => {
    const r = await run(['qemu-img fail']);
    expect(r.summary).toMatchObject({
      state: 'failed',
      failedPhase: 'prepare',
      outcome: 'rolled-back',
    });
    expect(r.trace).not.toMatch(/^shutdown/m);
    expect(r.def).toBe(r.before);
  });
});
