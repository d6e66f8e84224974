import { execFileSync, spawn, spawnSync } from 'node:child_process';
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
import { readRestoreProgress } from '../../electron/services/export/restore-progress';
import type { ExportManifest } from '../../shared/export';
import { testManifest } from '../support/export-manifest';
import { exportChain, guestBytes } from '../support/export-chain';

/**
 * Restore from an export as a new domain: the plan (new name and UUID, no interface, each disk
 * on its restored image) and export-restore.sh as shipped, under dash and busybox, with the real
 * qemu-img and a scripted virsh: an incremental's chain becomes one standalone image; nothing is
 * overwritten; a failed define or start leaves no image and no domain.
 */
const DEFINITION = `<domain type='kvm'><name>web</name><uuid>11111111-1111-4111-8111-111111111111</uuid><memory unit='KiB'>65536</memory><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/web.qcow2'/><target dev='vda' bus='virtio'/></disk><interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface><channel type='unix'><source mode='bind' path='/var/lib/libvirt/qemu/web.agent'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel></devices></domain>`;

function manifest(id: string): ExportManifest {
  return testManifest({
    exportId: id,
    uuid: '11111111-1111-4111-8111-111111111111',
    name: 'web',
    xml: DEFINITION,
  });
}

describe('restorePlan', () => {
  it('a new name and UUID, each disk on its image in the folder, no interface, no fixed socket', () => {
    const uuid = '22222222-2222-4222-8222-222222222222';
    const p = restorePlan(manifest('20261201T000000Z-0000000a'), {
      name: 'web-restored',
      uuid,
      folder: '/srv/restored/',
    });
    expect(p.disks).toEqual([
      { target: 'vda', file: 'vda.qcow2', image: '/srv/restored/web-restored-vda.qcow2' },
    ]);
    expect(p.xml).toContain('<name>web-restored</name>');
    expect(p.xml).toContain(`<uuid>${uuid}</uuid>`);
    expect(p.xml).toContain('<source file="/srv/restored/web-restored-vda.qcow2"');
    expect(p.xml).not.toMatch(/<interface|web\.agent|11111111-1111|\/images\/web\.qcow2/);
    expect(p.xml).toContain('org.qemu.guest_agent.0');
  });
  it('reads the script output', () => {
    expect(readRestoreOutput('disk vda /srv/a b.qcow2\ndefined 2222\nstarted\n', 'n')).toEqual({
      uuid: '2222',
      name: 'n',
      disks: [{ target: 'vda', image: '/srv/a b.qcow2' }],
      started: true,
    });
    expect(() => readRestoreOutput('disk vda /x\n', 'n')).toThrow(/defined/);
  });
});

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function fixture(
  virsh: { define: number; start: number; cancelAtDefine?: boolean; startS?: number } = {
    define: 0,
    start: 0,
  },
  slowCopy = false,
) {
  const root = mkdtempSync(join(tmpdir(), 'quiesce restore '));
  roots.push(root);
  const { inc } = exportChain(root, join(root, 'dest', 'U'));
  const to = join(root, 'restored here');
  const bin = join(root, 'bin');
  for (const d of [to, bin]) mkdirSync(d, { recursive: true });
  writeFileSync(
    join(bin, 'virsh'),
    `#!/bin/sh\necho "$*" >>'${join(root, 'virsh.log')}'\ncase "$*" in *' define '*) ${virsh.cancelAtDefine ? `sh -c "$CANCEL_SCRIPT" sh "$CANCEL_HOST" r1; echo $? >'${join(root, 'late')}'; : >"$RESTORE_CANCEL/cancel"; ` : ''}cat "$6" >'${join(root, 'defined.xml')}'; exit ${virsh.define} ;; *' start '*) ${virsh.startS ? `sleep ${virsh.startS}; ` : ''}exit ${virsh.start} ;; esac\n`,
  );
  chmodSync(join(bin, 'virsh'), 0o755);
  if (slowCopy) {
    // a copy that says 40 % and never ends (61 s; its image is convert's last argument)
    const real = execFileSync('sh', ['-c', 'command -v qemu-img'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'qemu-img'),
      `#!/bin/sh\n[ "$1" = convert ] && { eval "d=\\\${$#}"; : >"$d"; printf '    (40.00/100%%)\\r'; echo $$ >'${join(root, 'copy.pid')}'; exec sleep 61; }\nexec '${real}' "$@"\n`,
    );
    chmodSync(join(bin, 'qemu-img'), 0o755);
  }
  const plan = restorePlan(manifest('20261201T000100Z-0000000b'), {
    name: 'web-restored',
    uuid: '22222222-2222-4222-8222-222222222222',
    folder: to,
  });
  const argv = (shell: string) => [
    ...(shell === 'busybox' ? ['sh'] : []),
    '-c',
    exportRestoreScript,
    'sh',
    ...restoreArgs('qemu:///system', inc, to, plan, true),
  ];
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const run = (shell: string) =>
    spawnSync(shell === 'busybox' ? 'busybox' : shell, argv(shell), { encoding: 'utf8', env });
  const virshLog = () =>
    existsSync(join(root, 'virsh.log')) ? readFileSync(join(root, 'virsh.log'), 'utf8') : '';
  return { root, to, run, argv, env, plan, virshLog };
}
describe.each(['dash', 'busybox'])('export-restore.sh under %s', (shell) => {
  it('makes the chain one standalone image, defines and starts the new domain', () => {
    const f = fixture();
    const r = f.run(shell);
    expect(r.status, r.stderr).toBe(0);
    const img = join(f.to, 'web-restored-vda.qcow2');
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => !l.startsWith('progress ')).join('\n')).toBe(
      `disk vda ${img}\ncopied\ndefined 22222222-2222-4222-8222-222222222222\nstarted\n`,
    );
    // the copy's progress, from nothing to the image's measured size, before its "disk" line
    const progress = lines.filter((l) => l.startsWith('progress ')).map(readRestoreProgress);
    expect(progress[0]).toMatchObject({ target: 'vda', done: 0, etaS: null });
    expect(progress[0]!.total).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ done: progress[0]!.total, etaS: 0 });
    expect(lines.findLastIndex((l) => l.startsWith('progress '))).toBeLessThan(
      lines.indexOf(`disk vda ${img}`),
    );
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', img], { encoding: 'utf8' }),
    ) as { 'backing-filename'?: string };
    expect(info['backing-filename']).toBeUndefined();
    const bytes = guestBytes(img);
    expect(bytes.subarray(0, 3).toString()).toBe('one');
    expect(bytes.subarray(65536, 65540).toString()).toBe('tttt');
    expect(readdirSync(f.to)).toEqual(['web-restored-vda.qcow2']);
    expect(readFileSync(join(f.root, 'defined.xml'), 'utf8')).toBe(f.plan.xml);
    expect(f.virshLog()).toMatch(/start -- 22222222-2222-4222-8222-222222222222/);
  });
  it('overwrites nothing: an image of that name already there stops it before any copy', () => {
    const f = fixture();
    writeFileSync(join(f.to, 'web-restored-vda.qcow2'), 'keep me');
    const r = f.run(shell);
    expect(r.status).toBe(66);
    expect(readFileSync(join(f.to, 'web-restored-vda.qcow2'), 'utf8')).toBe('keep me');
    expect(f.virshLog()).toBe('');
  });
  it('a dropped link during the copy (stdout closed): the copy stopped, nothing left', async () => {
    const f = fixture(undefined, true);
    const child = spawn(shell === 'busybox' ? 'busybox' : shell, f.argv(shell), { env: f.env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // the first progress line read, the pipe goes: the next line (within 5 s) meets it closed
    child.stdout.once('data', () => child.stdout.destroy());
    const t0 = Date.now();
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(code, err).toBe(141);
    expect(Date.now() - t0).toBeLessThan(15_000); // the copy would take 61 s
    expect(readdirSync(f.to)).toEqual([]);
    expect(f.virshLog()).toBe('');
    // no copy left writing: the fake's sleep named this fixture's image
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toMatch(/^sleep 61$/m);
  });
  it('a cancel during the copy: stopped long before the copy’s end, no image, nothing defined', async () => {
    const f = fixture(undefined, true);
    const restores = join(f.root, 'host', 'restores');
    const env = { ...f.env, RESTORE_CANCEL: join(restores, 'r1') };
    const child = spawn(shell === 'busybox' ? 'busybox' : shell, f.argv(shell), { env });
    let err = '';
    let at = 0;
    let asked: number | null = null;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', () => {
      if (at) return;
      at = Date.now();
      asked = spawnSync(shell === 'busybox' ? 'busybox' : shell, [
        ...(shell === 'busybox' ? ['sh'] : []),
        '-c',
        exportRestoreCancelScript,
        'sh',
        join(f.root, 'host'),
        'r1',
      ]).status;
    });
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(asked).toBe(0);
    expect(code, err).toBe(76);
    expect(Date.now() - at).toBeLessThan(20_000); // the copy would take 61 s
    expect(readdirSync(f.to)).toEqual([]);
    expect(readdirSync(restores)).toEqual([]);
    expect(f.virshLog()).toBe('');
    const pid = Number(readFileSync(join(f.root, 'copy.pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(); // no copy left writing
  });
  it('a cancel once copied (here at the define) is refused and ignored: it completes', () => {
    const f = fixture({ define: 0, start: 0, cancelAtDefine: true });
    const env = {
      ...f.env,
      RESTORE_CANCEL: join(f.root, 'host', 'restores', 'r1'),
      CANCEL_SCRIPT: exportRestoreCancelScript,
      CANCEL_HOST: join(f.root, 'host'),
    };
    const r = spawnSync(shell === 'busybox' ? 'busybox' : shell, f.argv(shell), {
      encoding: 'utf8',
      env,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(f.root, 'late'), 'utf8').trim()).toBe('4');
    expect(r.stdout).toMatch(/^started$/m);
    expect(readdirSync(f.to)).toEqual(['web-restored-vda.qcow2']);
    expect(f.virshLog()).not.toMatch(/undefine/);
    expect(readdirSync(join(f.root, 'host', 'restores'))).toEqual([]);
  });
  it('a signal or a dropped link while it starts the domain: it finishes, the domain stays', async () => {
    for (const how of ['SIGTERM', 'link'] as const) {
      const f = fixture({ define: 0, start: 0, startS: 1 });
      const child = spawn(shell === 'busybox' ? 'busybox' : shell, f.argv(shell), { env: f.env });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!/^defined /m.test(out) || child.stdout.destroyed) return;
        // virsh start runs (a second): the undo there would undefine a guest that then runs
        if (how === 'SIGTERM') setTimeout(() => child.kill('SIGTERM'), 300);
        else child.stdout.destroy();
      });
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(code, `${how}: ${err}`).toBe(0);
      expect(f.virshLog()).toMatch(/start -- 22222222/);
      expect(f.virshLog()).not.toMatch(/undefine/);
      expect(readdirSync(f.to)).toEqual(['web-restored-vda.qcow2']);
    }
  });
  it('too little room refuses (exit 67), also where df counts more than 2^31 bytes free', () => {
    const f = fixture();
    // the room check itself (restore-lib.sh), with a need past what the folder's disk has free
    const free = Number(
      execFileSync('df', ['-Pk', '--', f.to], { encoding: 'utf8' }).split('\n')[1]!.split(/ +/)[3],
    );
    expect(free * 1024).toBeGreaterThan(2 ** 31); // else this host cannot show the mawk case
    const room = (need: number) =>
      spawnSync(
        shell === 'busybox' ? 'busybox' : shell,
        [
          ...(shell === 'busybox' ? ['sh'] : []),
          '-c',
          `${exportRestoreScript.slice(0, exportRestoreScript.lastIndexOf('\nset -u\n'))}\ntodir=$1 NEED=$2; restore_room report`,
          'sh',
          f.to,
          String(need),
        ],
        { encoding: 'utf8', env: f.env },
      );
    const short = room(free * 1024 * 4);
    expect(short.status, short.stderr).toBe(67);
    expect(short.stderr).toMatch(/bytes free; the restored images need/);
    expect(short.stdout).toMatch(/^need \d+\nfree \d+\n$/);
    const fits = room(1024);
    expect(fits.status, fits.stderr).toBe(0);
  });
  it('a failed define leaves no image; a failed start undefines the domain too', () => {
    const f = fixture({ define: 1, start: 0 });
    expect(f.run(shell).status).toBe(1);
    expect(readdirSync(f.to)).toEqual([]);
    expect(f.virshLog()).not.toMatch(/undefine/);
    const g = fixture({ define: 0, start: 1 });
    expect(g.run(shell).status).toBe(1);
    expect(readdirSync(g.to)).toEqual([]);
    expect(g.virshLog()).toMatch(/undefine -- 22222222-2222-4222-8222-222222222222/);
  });
});
