import { execFileSync, spawn, spawnSync } from 'node:child_process';
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
import { exportRestoreOriginalScript } from '../../electron/services/export/export-restore-original-script';
import { exportRestoreCancelScript } from '../../electron/services/export/export-scripts';
import {
  originalApplied,
  originalArgs,
  originalFailure,
  originalPlan,
  originalPreview,
  readOriginalOutput,
} from '../../electron/services/export/export-restore-original';
import type { ExportManifest } from '../../shared/export';
import { testManifest } from '../support/export-manifest';
import { readRestoreProgress } from '../../electron/services/export/restore-progress';
import { exportChain, guestBytes } from '../support/export-chain';
import { readRestoreLines, summarizeRestore } from '../../electron/services/export/restore-journal';
import { restoreDir, restoreLaunchScript } from '../../electron/services/export/restore-launch';
import { launchCommand, newOpId } from '../../electron/services/snapshot/launch';
import { testRestoreRunArgs } from '../support/restore-run-args';

/** export-restore-cancel.sh HOSTDIR ID run under `shell`, as the app runs it; its exit status. */
function cancelRestore(shell: string, hostDir: string, id: string): number | null {
  const argv = [...(shell === 'busybox' ? ['sh'] : []), '-c', exportRestoreCancelScript, 'sh'];
  return spawnSync(shell, [...argv, hostDir, id]).status;
}

/**
 * Restore from an export over the original domain: the plan (the domain's own definition, its
 * disks repointed at new standalone images, everything else kept; refused when the disks do not
 * match) and export-restore-original.sh as shipped (host-lib.sh in front), under dash and
 * busybox, with the real qemu-img and a scripted virsh that keeps the definition and the state
 * in files: the chain becomes one image, the guest is stopped after the copy and started after
 * the switch, the old image stays; a failure at each step (copy, stop, define, the check after
 * it, start, a signal) leaves the definition byte for byte as before, no new image, and the guest
 * running again; snapshots, a changed definition, an existing image and a held lock refuse.
 */
const UUID = '11111111-1111-4111-8111-111111111111';
const definition = (
  file: string,
  extra = '',
) => `<domain type='kvm'><name>web one</name><uuid>${UUID}</uuid><memory unit='KiB'>65536</memory><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${file}'/><backingStore type='file'><format type='qcow2'/><source file='${file}.base'/></backingStore><target dev='vda' bus='virtio'/></disk>${extra}<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface><channel type='unix'><source mode='bind' path='/var/lib/libvirt/qemu/web.agent'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel></devices></domain>
`;

function manifest(id: string, targets = ['vda']): ExportManifest {
  const xml = definition('/old/web.qcow2');
  return testManifest({
    exportId: id,
    uuid: UUID,
    name: 'web one',
    xml,
    targets,
    sourceFolder: '/old',
  });
}

describe('originalPlan', () => {
  it('keeps the domain (name, UUID, NIC, channel) and points each disk at its new image', () => {
    const def = definition('/var/lib/libvirt/images/web.qcow2');
    const p = originalPlan(manifest('20261201T000100Z-0000000b'), def, {
      folder: '/srv/restored/',
      stamp: 'S1',
    });
    expect(p.name).toBe('web one');
    expect(p.before).toBe(def);
    expect(p.disks).toEqual([
      {
        target: 'vda',
        file: 'vda.qcow2',
        current: '/var/lib/libvirt/images/web.qcow2',
        image: '/srv/restored/web_one-vda.restore-S1.qcow2',
      },
    ]);
    expect(p.after).toContain('source file="/srv/restored/web_one-vda.restore-S1.qcow2"');
    expect(p.after).not.toMatch(/backingStore|images\/web\.qcow2/);
    for (const kept of [
      `<uuid>${UUID}</uuid>`,
      '<name>web one</name>',
      '52:54:00:00:00:01',
      'web.agent',
    ])
      expect(p.after).toContain(kept);
  });
  it('refuses when the export and the domain do not have the same disks, or a disk is no file', () => {
    const two = definition(
      '/i/web.qcow2',
      `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/i/b.raw'/><target dev='vdb' bus='virtio'/></disk>`,
    );
    expect(() => originalPlan(manifest('X'), two, { folder: '/s', stamp: 'S' })).toThrow(
      /not the domain’s disks/,
    );
    expect(() =>
      originalPlan(manifest('X', ['vda', 'vdc']), definition('/i/w'), { folder: '/s', stamp: 'S' }),
    ).toThrow(/not the domain’s disks/);
    const block = definition('/i/w').replace(
      "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/i/w'/>",
      "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/sdz'/>",
    );
    expect(() => originalPlan(manifest('X'), block, { folder: '/s', stamp: 'S' })).toThrow(
      /not a file/,
    );
    // a cdrom is no disk of the guest's data: it does not have to be in the export
    const cd = definition(
      '/i/w',
      `<disk type='file' device='cdrom'><source file='/i/x.iso'/><target dev='sda' bus='sata'/></disk>`,
    );
    expect(originalPlan(manifest('X'), cd, { folder: '/s', stamp: 'S' }).disks).toHaveLength(1);
  });
  it('reads the output, words the confirmation and maps refusals', () => {
    const p = originalPlan(manifest('E'), definition('/i/w.qcow2'), { folder: '/s', stamp: 'S' });
    const out = readOriginalOutput(
      'state running\nchain vda /e/b/vda.qcow2\nchain vda /e/a b/vda.qcow2\nneed 10\nfree 20\ndisk vda /s/web_one-vda.restore-S.qcow2\nstopped by agent shutdown in 3 s\nswitched\nstarted\n',
    );
    expect(out.chains.get('vda')).toEqual(['/e/b/vda.qcow2', '/e/a b/vda.qcow2']);
    const pv = originalPreview(p, out, {
      stamp: 'S',
      exportId: 'E',
      stopTimeoutS: 30,
      allowForce: true,
    });
    expect(pv).toMatchObject({ willStop: true, needBytes: 10, freeBytes: 20, stamp: 'S' });
    expect(pv.text.stops).toMatch(/shut down .* powered off/);
    expect(pv.text.replaced).toMatch(/vda from a chain of 2 exports, copied into \/s\/web_one/);
    expect(pv.text.kept).toMatch(/Nothing is deleted: its images now \(\/i\/w\.qcow2\) stay/);
    expect(originalApplied(p, out)).toEqual({
      stopped: 'by agent shutdown in 3 s',
      started: true,
      disks: [{ target: 'vda', image: '/s/web_one-vda.restore-S.qcow2', kept: '/i/w.qcow2' }],
    });
    expect(() => originalApplied(p, readOriginalOutput('state running\n'))).toThrow(/switching/);
    expect(originalFailure(68, 'the domain has snapshots (a)', 'E').toShape()).toMatchObject({
      code: 'invalid-input',
      remedy: expect.stringMatching(/Delete or merge its snapshots/),
    });
    expect(originalFailure(1, 'x', 'E').message).toMatch(/it is as it was/);
  });
});

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

type Fault =
  | ''
  | 'convert'
  | 'slow-copy'
  | 'stop'
  | 'slow-stop'
  | 'define'
  | 'verify'
  | 'start'
  | 'snapshots'
  | 'hang-stop'
  | 'cancel-late';

/**
 * A host in a folder: an export chain (full + incremental), the domain's current image, and a
 * virsh that keeps the persistent definition in def.xml and the state in state.
 */
function fixture(opts: { fault?: Fault; state?: string } = {}) {
  const fault = opts.fault ?? '';
  const root = mkdtempSync(join(tmpdir(), 'quiesce restore over '));
  roots.push(root);
  const { inc } = exportChain(root, join(root, 'dest', UUID));
  const to = join(root, 'restored here');
  const bin = join(root, 'bin');
  const hostDir = join(root, 'host');
  // the script's own temporary files (mktemp) go here: none may be left
  const tmp = join(root, 'tmp');
  for (const d of [to, bin, hostDir, tmp]) mkdirSync(d, { recursive: true });
  const qi = (...a: string[]) => execFileSync('qemu-img', a, { stdio: 'pipe' });
  const current = join(root, 'images', 'web.qcow2');
  mkdirSync(join(root, 'images'));
  qi('create', '-q', '-f', 'qcow2', current, '1M');
  const before = definition(current);
  writeFileSync(join(root, 'def.xml'), before);
  writeFileSync(join(root, 'state'), `${opts.state ?? 'running'}\n`);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const R = q(root);
  // the definition's disks as `domblklist --details --inactive` prints them (one disk here)
  writeFileSync(
    join(bin, 'virsh'),
    `#!/bin/sh
shift 2
echo "$*" >>${R}/virsh.log
case $1 in
  dumpxml) cat ${R}/def.xml ;;
  domstate)
    ${fault === 'slow-stop' ? `if grep -q 'in shutdown' ${R}/state; then n=$(cat ${R}/ticks 2>/dev/null || echo 0); echo $((n + 1)) >${R}/ticks; [ "$n" -ge 4 ] && echo 'shut off' >${R}/state; fi` : ''}
    cat ${R}/state ;;
  snapshot-list) ${fault === 'snapshots' ? 'echo s1; echo s2' : ':'} ;;
  shutdown)
    ${fault === 'cancel-late' ? `sh -c "$CANCEL_SCRIPT" sh "$CANCEL_HOST" r1; echo $? >${R}/late; : >"$RESTORE_CANCEL/cancel"` : ''}
    ${fault === 'stop' || fault === 'hang-stop' ? ':' : fault === 'slow-stop' ? `echo 'in shutdown' >${R}/state` : `echo 'shut off' >${R}/state`} ;;
  destroy) echo 'shut off' >${R}/state ;;
  define)
    ${fault === 'define' ? `[ -e ${R}/defined-once ] || { : >${R}/defined-once; echo 'error: refused' >&2; exit 1; }` : ''}
    cp "$2" ${R}/def.xml ;;
  domblklist)
    f=$(sed -n "s/.*<source file=[\\"']\\([^\\"']*\\)[\\"'].*<target dev=[\\"']vda.*/\\1/p" ${R}/def.xml)
    ${fault === 'verify' ? `[ -e ${R}/listed-once ] || { : >${R}/listed-once; f=/somewhere/else; }` : ''}
    printf ' Type   Device   Target   Source\\n----\\n file   disk     vda      %s\\n' "$f" ;;
  start)
    ${fault === 'start' ? `[ -e ${R}/started-once ] || { : >${R}/started-once; echo 'error: no boot' >&2; exit 1; }` : ''}
    echo running >${R}/state ;;
  *) echo "fake virsh: $*" >&2; exit 1 ;;
esac
`,
  );
  const realQemuImg = execFileSync('sh', ['-c', 'command -v qemu-img'], {
    encoding: 'utf8',
  }).trim();
  writeFileSync(
    join(bin, 'qemu-img'),
    // convert's image is its last argument; slow-copy: 40 % said, then a copy that never ends
    `#!/bin/sh\n${fault === 'convert' ? `[ "$1" = convert ] && { eval "d=\\\${$#}"; : >"$d"; echo 'write error' >&2; exit 1; }\n` : ''}${fault === 'slow-copy' ? `[ "$1" = convert ] && { eval "d=\\\${$#}"; : >"$d"; printf '    (0.00/100%%)\\r    (40.00/100%%)\\r'; echo $$ >${R}/copy.pid; exec sleep 60; }\n` : ''}exec ${q(realQemuImg)} "$@"\n`,
  );
  for (const f of ['virsh', 'qemu-img']) chmodSync(join(bin, f), 0o755);
  const plan = originalPlan(manifest('20261201T000100Z-0000000b'), before, {
    folder: to,
    stamp: '20261201T000200Z-0000000c',
  });
  const argv = (shell: string, apply: boolean, allowForce = false) => [
    ...(shell === 'busybox' ? ['sh'] : []),
    '-c',
    exportRestoreOriginalScript,
    'sh',
    ...originalArgs(
      {
        hostDir,
        uri: 'qemu:///system',
        uuid: UUID,
        exportFolder: inc,
        folder: to,
        apply,
        stopTimeoutS: 2,
        allowForce,
      },
      plan,
    ),
  ];
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp };
  const run = (shell: string, apply = true, allowForce = false) =>
    spawnSync(shell, argv(shell, apply, allowForce), { encoding: 'utf8', env });
  const virshLog = () =>
    existsSync(join(root, 'virsh.log')) ? readFileSync(join(root, 'virsh.log'), 'utf8') : '';
  const defined = () => readFileSync(join(root, 'def.xml'), 'utf8');
  const state = () => readFileSync(join(root, 'state'), 'utf8').trim();
  return {
    root,
    to,
    tmp,
    hostDir,
    before,
    current,
    plan,
    run,
    argv,
    env,
    virshLog,
    defined,
    state,
  };
}

describe.each(['dash', 'busybox'])(
  'export-restore-original.sh under %s',
  (shell) => {
    it('launched by the restore runner (as the app does): its journal says copy, stop, switch, start', async () => {
      const f = fixture();
      // `sh` is the shell under test, for the runner and the script it runs
      const shPath = execFileSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' });
      symlinkSync(shPath.trim(), join(f.root, 'bin', 'sh'));
      const opId = newOpId();
      const script = restoreLaunchScript(
        testRestoreRunArgs(opId, { kind: 'restore-original', name: '' }),
        exportRestoreOriginalScript,
        f.argv('dash', true).slice(3),
      );
      const r = spawnSync('sh', ['-c', launchCommand(restoreDir(f.hostDir), opId)], {
        input: script,
        encoding: 'utf8',
        env: f.env,
      });
      expect(r.status, r.stderr).toBe(0);
      const journal = join(f.hostDir, 'restores', 'ops', opId, 'journal.jsonl');
      const t0 = Date.now();
      while (!readFileSync(journal, 'utf8').includes('"ev":"end"')) {
        expect(Date.now() - t0, readFileSync(journal, 'utf8')).toBeLessThan(30_000);
        await new Promise((res) => setTimeout(res, 100));
      }
      const run = summarizeRestore(opId, readRestoreLines(readFileSync(journal, 'utf8')), false);
      expect(run).toMatchObject({ state: 'succeeded', kind: 'restore-original', code: 0 });
      expect(run.phases.map((p) => `${p.phase} ${p.status}`)).toEqual([
        'check done',
        'copy done',
        'stop done',
        'switch done',
        'start done',
      ]);
      expect(run.phases[2]!.detail).toMatch(/^by agent shutdown in \d+ s$/);
      const out = readOriginalOutput(run.output.join('\n'));
      expect(out).toMatchObject({ state: 'running', switched: true, started: true });
      expect(originalApplied(f.plan, out).disks[0]!.kept).toBe(f.current);
      expect(f.defined()).toBe(f.plan.after);
      expect(f.state()).toBe('running');
    });
    it('check: says the state, the chain, the room; changes nothing', () => {
      const f = fixture();
      const r = f.run(shell, false);
      expect(r.status, r.stderr).toBe(0);
      const out = readOriginalOutput(r.stdout);
      expect(out.state).toBe('running');
      expect(out.chains.get('vda')?.map((p) => p.replace(/.*\/dest\//, ''))).toEqual([
        `${UUID}/20261201T000100Z-0000000b/vda.qcow2`,
        `${UUID}/20261201T000100Z-0000000b/../20261201T000000Z-0000000a/vda.qcow2`,
      ]);
      expect(out.need).toBeGreaterThan(0);
      expect(out.free).toBeGreaterThan(out.need);
      expect(readdirSync(f.to)).toEqual([]);
      expect(f.virshLog()).not.toMatch(/shutdown|define|start/);
    });

    it('apply: copies while it runs, stops, switches, starts; the old image stays', () => {
      const f = fixture();
      const r = f.run(shell);
      expect(r.status, r.stderr).toBe(0);
      const img = f.plan.disks[0]!.image;
      const lines = r.stdout.trim().split('\n');
      // each disk's copy says how far it got, up to the image's measured size, before its line
      const progress = lines.filter((l) => l.startsWith('progress '));
      const read = progress.map((l) => readRestoreProgress(l));
      expect(read.length).toBeGreaterThanOrEqual(2);
      expect(read.every((p) => p?.target === 'vda' && p.total === read[0]!.total)).toBe(true);
      expect(read[0]).toMatchObject({ done: 0, etaS: null });
      expect(read.at(-1)).toMatchObject({ done: read[0]!.total, etaS: 0 });
      expect(read[0]!.total).toBeGreaterThan(0);
      expect(lines.indexOf(progress.at(-1)!)).toBeLessThan(lines.indexOf(`disk vda ${img}`));
      expect(readdirSync(f.tmp)).toEqual([]);
      expect(lines.filter((l) => !l.startsWith('progress ')).slice(-5)).toEqual([
        `disk vda ${img}`,
        'copied',
        expect.stringMatching(/^stopped by agent shutdown in \d+ s$/),
        'switched',
        'started',
      ]);
      expect(f.defined()).toBe(f.plan.after);
      expect(f.state()).toBe('running');
      expect(existsSync(f.current)).toBe(true);
      expect(readdirSync(f.to)).toEqual([img.split('/').pop()]);
      const info = JSON.parse(
        execFileSync('qemu-img', ['info', '--output=json', img], { encoding: 'utf8' }),
      ) as { 'backing-filename'?: string };
      expect(info['backing-filename']).toBeUndefined();
      const bytes = guestBytes(img);
      expect(bytes.subarray(0, 3).toString()).toBe('one');
      expect(bytes.subarray(65536, 65540).toString()).toBe('tttt');
      const log = f.virshLog();
      expect(log.indexOf('shutdown')).toBeLessThan(log.indexOf('define'));
      expect(log.indexOf('define')).toBeLessThan(log.indexOf('start'));
      // the lock was taken and let go
      expect(readFileSync(join(f.hostDir, 'locks', `${UUID}.lock.owner`), 'utf8')).toMatch(
        /export restore/,
      );
    });

    it('a shut-off domain is switched and stays off', () => {
      const f = fixture({ state: 'shut off' });
      const r = f.run(shell);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/stopped|started/);
      expect(f.defined()).toBe(f.plan.after);
      expect(f.state()).toBe('shut off');
      expect(f.virshLog()).not.toMatch(/shutdown|start/);
    });

    it.each<[Fault, boolean, RegExp]>([
      ['convert', false, /qemu-img convert of vda failed/],
      ['stop', false, /did not stop within 2 s/],
      // a shutdown that outlasts the wait ends off: started again on the old disks
      ['slow-stop', true, /did not stop within 2 s/],
      ['define', true, /libvirt refused the new definition/],
      ['verify', true, /does not point at/],
      ['start', true, /virsh start: error: no boot/],
    ])('a failure at %s leaves the domain as before', (fault, stopped, why) => {
      const f = fixture({ fault });
      const r = f.run(shell);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(f.defined()).toBe(f.before);
      expect(readdirSync(f.to)).toEqual([]);
      expect(f.state()).toBe('running');
      expect(existsSync(f.current)).toBe(true);
      // stopped guests are started again on their old disks
      expect(/start/.test(f.virshLog().replace(/start .*no boot/, ''))).toBe(stopped);
      if (stopped) expect(r.stderr).toMatch(/started again on its old disks/);
    });

    it('a guest that does not stop is powered off when allowed', () => {
      const f = fixture({ fault: 'hang-stop' });
      const r = f.run(shell, true, true);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/stopped powered off after 2 s/);
      expect(f.virshLog()).toMatch(/shutdown .* --mode acpi/);
      expect(f.defined()).toBe(f.plan.after);
    });

    it('SIGTERM during the copy: the copy stopped at once, nothing left, nothing changed', async () => {
      const f = fixture({ fault: 'slow-copy' });
      const child = spawn(shell, f.argv(shell, true), { env: f.env });
      let err = '';
      let out = '';
      let at = 0;
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // the second reading (40 %) is there: qemu-img "copies" now
        if (!at && /^progress vda [1-9]\d* /m.test(out)) {
          at = Date.now();
          child.kill('SIGTERM');
        }
      });
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(code, err).toBe(143);
      // handled during the copy (qemu-img sleeps 60 s), not after it
      // (20 s: far below the copy's 60 s, with room for a starved CPU: the tier runs beside the lab)
      expect(Date.now() - at).toBeLessThan(20_000);
      const p = readRestoreProgress(out.split('\n').find((l) => /^progress vda [1-9]/.test(l))!);
      expect(p).toMatchObject({ target: 'vda', done: Math.floor((p!.total * 4000) / 10000) });
      expect(f.defined()).toBe(f.before);
      expect(readdirSync(f.to)).toEqual([]);
      expect(readdirSync(f.tmp)).toEqual([]);
      expect(f.state()).toBe('running');
      expect(f.virshLog()).not.toMatch(/shutdown|define|start/);
    });

    it('a cancel during the copy: stopped long before the copy’s end, nothing left, the definition as it was', async () => {
      const f = fixture({ fault: 'slow-copy' });
      const restores = join(f.hostDir, 'restores');
      const env = { ...f.env, RESTORE_CANCEL: join(restores, 'r1') };
      const child = spawn(shell, f.argv(shell, true), { env });
      let err = '';
      let out = '';
      let at = 0;
      let asked: number | null = null;
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!at && /^progress vda [1-9]\d* /m.test(out)) {
          at = Date.now();
          asked = cancelRestore(shell, f.hostDir, 'r1');
        }
      });
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(asked).toBe(0);
      expect(code, err).toBe(76);
      expect(err).toMatch(/cancelled during the copy/);
      expect(Date.now() - at).toBeLessThan(20_000); // qemu-img would sleep 60 s
      expect(f.defined()).toBe(f.before);
      expect(readdirSync(f.to)).toEqual([]);
      expect(readdirSync(f.tmp)).toEqual([]);
      expect(readdirSync(restores)).toEqual([]);
      expect(f.state()).toBe('running');
      expect(f.virshLog()).not.toMatch(/shutdown|define|start/);
      // no copy left running (the fake qemu-img's pid, its sleep exec'd in its place)
      const pid = Number(readFileSync(join(f.root, 'copy.pid'), 'utf8'));
      expect(() => process.kill(pid, 0)).toThrow();
      // over: nothing to cancel
      expect(cancelRestore(shell, f.hostDir, 'r1')).toBe(3);
    });

    it('a cancel once copied (here while the guest stops) is refused and ignored: it completes', () => {
      const f = fixture({ fault: 'cancel-late' });
      const env = {
        ...f.env,
        RESTORE_CANCEL: join(f.hostDir, 'restores', 'r1'),
        CANCEL_SCRIPT: exportRestoreCancelScript,
        CANCEL_HOST: f.hostDir,
      };
      const r = spawnSync(shell, f.argv(shell, true), { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      // export-restore-cancel.sh answered 4 (too late); the cancel file written anyway is ignored
      expect(readFileSync(join(f.root, 'late'), 'utf8').trim()).toBe('4');
      expect(f.defined()).toBe(f.plan.after);
      expect(f.state()).toBe('running');
      expect(readdirSync(f.to)).toEqual([f.plan.disks[0]!.image.split('/').pop()]);
      expect(readdirSync(join(f.hostDir, 'restores'))).toEqual([]);
    });

    it('SIGTERM while it waits for the guest to stop: as before', async () => {
      const f = fixture({ fault: 'hang-stop' });
      const child = spawn(shell, f.argv(shell, true), { env: f.env });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('disk vda')) setTimeout(() => child.kill('SIGTERM'), 300);
      });
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(code, err).toBe(143);
      expect(f.defined()).toBe(f.before);
      expect(readdirSync(f.to)).toEqual([]);
    });

    it('refuses, changing nothing: snapshots, a changed definition, an image there, the lock held', async () => {
      const s = fixture({ fault: 'snapshots' });
      const r1 = s.run(shell);
      expect(r1.status).toBe(68);
      expect(r1.stderr).toMatch(/snapshots \(s1 s2\)/);
      const c = fixture();
      writeFileSync(join(c.root, 'def.xml'), c.before.replace('65536', '131072'));
      expect(c.run(shell).status).toBe(69);
      const e = fixture();
      writeFileSync(e.plan.disks[0]!.image, 'keep me');
      expect(e.run(shell).status).toBe(66);
      expect(readFileSync(e.plan.disks[0]!.image, 'utf8')).toBe('keep me');
      const l = fixture();
      mkdirSync(join(l.hostDir, 'locks'));
      const holder = spawn('flock', [join(l.hostDir, 'locks', `${UUID}.lock`), 'sleep', '3']);
      await new Promise((res) => setTimeout(res, 300));
      const r4 = l.run(shell);
      holder.kill();
      expect(r4.status).toBe(75);
      for (const f of [s, c, e, l]) {
        expect(f.virshLog()).not.toMatch(/shutdown|define|start/);
        expect(f.state()).toBe('running');
      }
    });
  },
  120_000,
); // each case starts qemu-img a dozen times: slow on a loaded machine
