import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readRestoreOutput,
  restoreArgs,
  restorePlan,
} from '../../electron/services/export/export-restore';
import {
  exportRestoreCancelScript,
  exportRestoreScript,
} from '../../electron/services/export/export-scripts';
import { readRestoreLines, summarizeRestore } from '../../electron/services/export/restore-journal';
import { restoreDir, restoreLaunchScript } from '../../electron/services/export/restore-launch';
import { launchCommand, newOpId } from '../../electron/services/snapshot/launch';
import type { ExportManifest } from '../../shared/export';
import { testManifest } from '../support/export-manifest';
import { exportChain } from '../support/export-chain';
import { testRestoreRunArgs } from '../support/restore-run-args';

/**
 * The restore runner (host-scripts/restore-runner.sh) as the app launches it (launch.sh, the
 * runner detached with setsid), under dash and busybox (`sh` on the PATH is the shell under
 * test, so the runner and the restore script both run in it), with the real qemu-img and a
 * scripted virsh: its journal, folded by restore-journal.ts, says what the restore did; a cancel
 * by the operation's id during the copy leaves nothing; a failed define is the define phase's.
 */
const UUID = '11111111-1111-4111-8111-111111111111';
const NEW = '22222222-2222-4222-8222-222222222222';
const DEFINITION = `<domain type='kvm'><name>web</name><uuid>${UUID}</uuid><memory unit='KiB'>65536</memory><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/web.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>`;
const EXPORT_ID = '20261201T000100Z-0000000b';

function manifest(): ExportManifest {
  return testManifest({ exportId: EXPORT_ID, uuid: UUID, name: 'web', xml: DEFINITION });
}

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function fixture(shell: string, opts: { define?: number; slowCopy?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'quiesce restore runner '));
  roots.push(root);
  const { inc } = exportChain(root, join(root, 'dest', UUID));
  const to = join(root, 'restored here');
  const bin = join(root, 'bin');
  const host = join(root, 'host');
  for (const d of [to, bin]) mkdirSync(d, { recursive: true });
  mkdirSync(host, { mode: 0o700 });
  const shPath = execFileSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' }).trim();
  symlinkSync(shPath, join(bin, 'sh'));
  writeFileSync(
    join(bin, 'virsh'),
    `#!/bin/sh\necho "$*" >>'${join(root, 'virsh.log')}'\ncase "$*" in *' define '*) exit ${opts.define ?? 0} ;; esac\nexit 0\n`,
  );
  chmodSync(join(bin, 'virsh'), 0o755);
  if (opts.slowCopy) {
    // a copy that says 40 % and never ends (61 s; its image is convert's last argument)
    const real = execFileSync('sh', ['-c', 'command -v qemu-img'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'qemu-img'),
      `#!/bin/sh\n[ "$1" = convert ] && { eval "d=\\\${$#}"; : >"$d"; printf '    (40.00/100%%)\\r'; echo $$ >'${join(root, 'copy.pid')}'; exec sleep 61; }\nexec '${real}' "$@"\n`,
    );
    chmodSync(join(bin, 'qemu-img'), 0o755);
  }
  const plan = restorePlan(manifest(), { name: 'web-restored', uuid: NEW, folder: to });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: root };
  const opId = newOpId();
  const ops = join(host, 'restores', 'ops', opId);
  /** Launched as the app launches it: `sh -s -- HOSTDIR/restores OPID`, the script on stdin. */
  const launch = () => {
    const script = restoreLaunchScript(
      testRestoreRunArgs(opId, { start: true }),
      exportRestoreScript,
      restoreArgs('qemu:///system', inc, to, plan, true),
    );
    const cmd = launchCommand(restoreDir('host'), opId);
    const r = spawnSync('sh', ['-c', cmd], { input: script, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
  };
  const journal = () => readRestoreLines(readFileSync(join(ops, 'journal.jsonl'), 'utf8'));
  const ended = async (limitMs: number) => {
    const t0 = Date.now();
    while (Date.now() - t0 < limitMs) {
      if (journal().some((l) => l.ev === 'end')) return journal();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `no end line within ${limitMs} ms: ${readFileSync(join(ops, 'journal.jsonl'), 'utf8')}`,
    );
  };
  const virshLog = () =>
    existsSync(join(root, 'virsh.log')) ? readFileSync(join(root, 'virsh.log'), 'utf8') : '';
  return { root, host, to, env, opId, ops, launch, journal, ended, virshLog };
}

describe.each(['dash', 'busybox'])('restore-runner.sh under %s', (shell) => {
  it('journals the restore: phases, each disk’s progress, the script’s lines, the outcome', async () => {
    const f = fixture(shell);
    f.launch();
    const lines = await f.ended(30_000);
    const s = summarizeRestore(f.opId, lines, false);
    expect(s, readFileSync(join(f.ops, 'runner.log'), 'utf8')).toMatchObject({
      state: 'succeeded',
      kind: 'restore',
      uuid: UUID,
      exportId: EXPORT_ID,
      restoreId: f.opId,
      name: 'web-restored',
      copied: true,
      cancelled: false,
      code: 0,
      failedPhase: null,
    });
    expect(s.phases).toEqual([
      { phase: 'check', status: 'done' },
      { phase: 'copy', status: 'done' },
      { phase: 'define', status: 'done' },
      { phase: 'start', status: 'done' },
    ]);
    const img = join(f.to, 'web-restored-vda.qcow2');
    expect(s.images).toEqual([{ target: 'vda', image: img }]);
    expect(s.disks).toHaveLength(1);
    expect(s.disks[0]!.total).toBeGreaterThan(0);
    expect(s.disks[0]).toMatchObject({ target: 'vda', done: s.disks[0]!.total, etaS: 0 });
    // the first progress line: nothing copied yet, its ETA unknown
    const first = lines.find((l) => l.ev === 'progress');
    expect(first).toMatchObject({ done: 0, etaS: -1 });
    // the answer the call gives, from the journal's own lines
    expect(readRestoreOutput(s.output.join('\n'), 'web-restored')).toEqual({
      uuid: NEW,
      name: 'web-restored',
      disks: [{ target: 'vda', image: img }],
      started: true,
    });
    expect(readdirSync(f.to)).toEqual(['web-restored-vda.qcow2']);
    expect(f.virshLog()).toMatch(/start -- 22222222/);
    // the cancel folder went with the restore; the operation folder stays with its journal
    expect(readdirSync(join(f.host, 'restores'))).toEqual(['ops']);
    expect(lines.filter((l) => l.ev === 'end')).toHaveLength(1);
  });
  it('the runner killed during the copy: the restore stops and undoes itself, the journal reads lost', async () => {
    const f = fixture(shell, { slowCopy: true });
    f.launch();
    const t0 = Date.now();
    while (!f.journal().some((l) => l.ev === 'progress')) {
      expect(Date.now() - t0).toBeLessThan(20_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(Number(readFileSync(join(f.ops, 'runner.pid'), 'utf8')), 'SIGKILL');
    // the script's next progress line (5 s at most) meets its reader gone: its undo stops the copy
    const copy = Number(readFileSync(join(f.root, 'copy.pid'), 'utf8'));
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const at = Date.now();
    while (alive(copy) && Date.now() - at < 20_000) await new Promise((r) => setTimeout(r, 100));
    expect(alive(copy), 'the copy (it would take 61 s) still runs').toBe(false);
    await new Promise((r) => setTimeout(r, 500)); // the undo's last removals
    expect(readdirSync(f.to)).toEqual([]);
    expect(f.virshLog()).toBe('');
    const s = summarizeRestore(f.opId, f.journal(), true);
    expect(s).toMatchObject({ state: 'lost', copied: false });
    expect(s.message).toMatch(/stopped before recording an outcome/);
  });
  it('a cancel by the operation’s id during the copy: exit 76 journaled, nothing left', async () => {
    const f = fixture(shell, { slowCopy: true });
    f.launch();
    const t0 = Date.now();
    while (!f.journal().some((l) => l.ev === 'progress')) {
      expect(Date.now() - t0).toBeLessThan(20_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    const asked = spawnSync('sh', ['-c', exportRestoreCancelScript, 'sh', 'host', f.opId], {
      env: f.env,
    }).status;
    expect(asked).toBe(0);
    const at = Date.now();
    const s = summarizeRestore(f.opId, await f.ended(30_000), false);
    // the copy would take 61 s; 20 s: the unit tier runs niced beside the lab tiers
    expect(Date.now() - at).toBeLessThan(20_000);
    expect(s).toMatchObject({
      state: 'failed',
      cancelled: true,
      code: 76,
      copied: false,
      failedPhase: 'copy',
    });
    expect(s.message).toMatch(/cancelled during the copy/);
    expect(s.phases.at(-1)).toMatchObject({ phase: 'copy', status: 'failed' });
    expect(readdirSync(f.to)).toEqual([]);
    expect(f.virshLog()).toBe('');
    expect(readdirSync(join(f.host, 'restores'))).toEqual(['ops']);
    const pid = Number(readFileSync(join(f.root, 'copy.pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(); // no copy left writing
    // ended: a later cancel finds no restore
    expect(
      spawnSync('sh', ['-c', exportRestoreCancelScript, 'sh', 'host', f.opId], { env: f.env })
        .status,
    ).toBe(3);
  });
  it('a failed define is the define phase’s failure, with libvirt’s words; no image left', async () => {
    const f = fixture(shell, { define: 1 });
    f.launch();
    const s = summarizeRestore(f.opId, await f.ended(30_000), false);
    expect(s).toMatchObject({ state: 'failed', failedPhase: 'define', code: 1, copied: true });
    expect(s.message).toMatch(/virsh define/);
    expect(s.phases.map((p) => `${p.phase} ${p.status}`)).toEqual([
      'check done',
      'copy done',
      'define failed',
    ]);
    expect(readdirSync(f.to)).toEqual([]);
  });
});
