/**
 * The smallest real guest (docs/ARCHITECTURE.md, "The smallest real guest"): Debian's own 6.1
 * kernel booted as an uncompressed vmlinux (PVH entry: ~4.5 s to a responding agent under TCG
 * instead of ~7.4 s with the bzImage), and an initramfs holding static busybox, the host's qemu-ga
 * with its libraries, and a dozen modules.
 *
 * Everything is cached under <labdir>/cache and rebuilt only when its inputs change, so a second
 * `up` costs a stat and a hash. The kernel package is downloaded with `apt-get download` and
 * unpacked, never installed: installing linux-image-* runs initramfs triggers for minutes.
 */
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { LabPaths } from './config.js';
import { LabError, run, type Logger } from './exec.js';
import { aptUpdateOnce } from './packages.js';
import { GUEST_MODULES, INITTAB, RCS, SHUTDOWN, WRITER, WRITER_SCRIPT } from './guest-scripts.js';

/** Bump when the image layout changes in a way the recipe hash below does not see. */
const IMAGE_FORMAT = 1;
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const QEMU_GA = '/usr/sbin/qemu-ga';
const BUSYBOX = '/bin/busybox';

export interface GuestImage {
  vmlinux: string;
  initramfs: string;
  kernelRelease: string;
  /** Short hash of everything in the image; domain XML carries it so a rebuilt image redefines guests. */
  id: string;
}

interface Stamp extends GuestImage {
  recipe: string;
  kernelPackage: string;
}

/** What the initramfs depends on: our scripts, the module list and the host binaries copied in. */
function recipeHash(): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ IMAGE_FORMAT, GUEST_MODULES, INITTAB, RCS, SHUTDOWN, WRITER }));
  for (const bin of [QEMU_GA, BUSYBOX]) {
    const st = fs.statSync(bin);
    h.update(`${bin}:${st.size}:${st.mtimeMs}`);
  }
  return h.digest('hex');
}

function readStamp(file: string): Stamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

export async function ensureGuestImage(p: LabPaths, log: Logger): Promise<GuestImage> {
  const recipe = recipeHash();
  const stamp = readStamp(p.imageStamp);
  if (stamp && stamp.recipe === recipe && fs.existsSync(p.vmlinux) && fs.existsSync(p.initramfs)) {
    return {
      vmlinux: p.vmlinux,
      initramfs: p.initramfs,
      kernelRelease: stamp.kernelRelease,
      id: stamp.id,
    };
  }
  fs.mkdirSync(p.cache, { recursive: true, mode: 0o755 });
  const kernel = await ensureKernel(p, log);
  if (!stamp || stamp.kernelPackage !== kernel.pkg || !fs.existsSync(p.vmlinux)) {
    await extractVmlinux(kernel.vmlinuz, p.vmlinux);
  }
  log('building the guest initramfs');
  await buildInitramfs(kernel.modulesDir, p.initramfs, path.join(p.cache, 'initramfs.d'));
  const id = crypto
    .createHash('sha256')
    .update(recipe)
    .update(kernel.pkg)
    .digest('hex')
    .slice(0, 12);
  const result: Stamp = {
    vmlinux: p.vmlinux,
    initramfs: p.initramfs,
    kernelRelease: kernel.release,
    id,
    recipe,
    kernelPackage: kernel.pkg,
  };
  fs.writeFileSync(p.imageStamp, JSON.stringify(result, null, 2) + '\n');
  return { vmlinux: p.vmlinux, initramfs: p.initramfs, kernelRelease: kernel.release, id };
}

interface KernelFiles {
  pkg: string;
  release: string;
  vmlinuz: string;
  modulesDir: string;
}

/**
 * The versioned kernel package that linux-image-amd64 currently points to (not the metapackage,
 * which would pull in initramfs-tools), downloaded once and partly unpacked.
 */
async function ensureKernel(p: LabPaths, log: Logger): Promise<KernelFiles> {
  const dir = p.kernelDeb;
  const root = path.join(dir, 'root');
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  let deb = fs.readdirSync(dir).find((f) => /^linux-image-6\.1\..*-amd64_.*\.deb$/.test(f));
  if (!deb) {
    const pkg = await resolveKernelPackage(log);
    log(`downloading ${pkg} (apt-get download)`);
    // apt drops privileges to _apt for downloads; let it write here to avoid a noisy warning.
    fs.chmodSync(dir, 0o777);
    await run('apt-get', ['download', '-q', pkg], { cwd: dir, timeoutMs: 600_000 });
    fs.chmodSync(dir, 0o755);
    deb = fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new LabError(`apt-get download ${pkg} left no .deb in ${dir}`);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const pkg = deb.split('_')[0] ?? deb;
  const release = pkg.replace(/^linux-image-/, '');
  const modulesDir = path.join(root, 'lib', 'modules', release);
  const vmlinuz = path.join(root, 'boot', `vmlinuz-${release}`);
  if (!fs.existsSync(vmlinuz) || !fs.existsSync(path.join(modulesDir, '.lab-extracted'))) {
    log(`unpacking the kernel and ${GUEST_MODULES.length} modules from ${deb}`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    await unpackKernel(path.join(dir, deb), root);
    if (!fs.existsSync(vmlinuz)) throw new LabError(`${deb} has no boot/vmlinuz-${release}`);
    fs.mkdirSync(modulesDir, { recursive: true });
    fs.writeFileSync(path.join(modulesDir, '.lab-extracted'), '');
  }
  return { pkg, release, vmlinuz, modulesDir };
}

async function resolveKernelPackage(log: Logger): Promise<string> {
  const lookup = async () => {
    const res = await run('apt-cache', ['depends', 'linux-image-amd64'], { check: false });
    const m = /Depends:\s+(linux-image-6\.1\.\S+-amd64)\b/.exec(res.stdout);
    return m?.[1];
  };
  let pkg = await lookup();
  if (!pkg) {
    await aptUpdateOnce(log); // a fresh machine may not have package lists yet
    pkg = await lookup();
  }
  if (!pkg) {
    throw new LabError(
      'cannot find the versioned linux-image-6.1.*-amd64 package that linux-image-amd64 depends on ' +
        '(apt-cache depends linux-image-amd64); check /etc/apt/sources.list*',
    );
  }
  return pkg;
}

/**
 * `dpkg-deb -x` limited to what the guest needs: the whole package unpacks to ~400 MB of
 * modules, the guest uses about a dozen files.
 */
async function unpackKernel(deb: string, root: string): Promise<void> {
  const patterns = [
    './boot/vmlinuz-*',
    '*/modules.builtin',
    ...GUEST_MODULES.map((m) => `*/${m}.ko`),
  ];
  await new Promise<void>((resolve, reject) => {
    const dpkg = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', root, '--wildcards', ...patterns], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    dpkg.stdout.pipe(tar.stdin);
    let err = '';
    dpkg.stderr.on('data', (b: Buffer) => (err += b.toString()));
    tar.stderr.on('data', (b: Buffer) => (err += b.toString()));
    dpkg.on('error', reject);
    tar.on('error', reject);
    tar.on('close', (code) => {
      // tar exits 2 when a pattern matched nothing (e.g. a module that is built in); that is
      // checked per module when the initramfs is assembled.
      if (code === 0 || (code === 2 && /Not found in archive/.test(err))) resolve();
      else reject(new LabError(`unpacking ${deb} failed (tar exit ${code}): ${err.trim()}`));
    });
  });
}

/**
 * Debian's bzImage carries the kernel as an xz stream. Decompressing that stream yields the ELF
 * vmlinux, which QEMU boots through its PVH note, skipping the real-mode setup and the in-guest
 * decompression (slow under TCG). The magic can occur by chance, so try each hit until one
 * decompresses to an ELF file.
 */
async function extractVmlinux(vmlinuz: string, out: string): Promise<void> {
  const image = fs.readFileSync(vmlinuz);
  for (let at = image.indexOf(XZ_MAGIC); at >= 0; at = image.indexOf(XZ_MAGIC, at + 1)) {
    const res = await run('xz', ['-dc', '--single-stream'], {
      input: image.subarray(at),
      check: false,
    });
    const elf = res.stdoutBuffer;
    if (
      res.code === 0 &&
      elf.length > 1_000_000 &&
      elf.subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1'))
    ) {
      const tmp = `${out}.tmp`;
      fs.writeFileSync(tmp, elf, { mode: 0o644 });
      fs.renameSync(tmp, out);
      return;
    }
  }
  throw new LabError(`no xz-compressed ELF kernel found inside ${vmlinuz}`);
}

/** Every library `ldd` lists for a binary, plus its dynamic loader. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const res = await run('ldd', [binary]);
  const libs: string[] = [];
  for (const line of res.stdout.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  if (libs.length === 0) throw new LabError(`ldd ${binary} listed no libraries:\n${res.stdout}`);
  return libs;
}

async function buildInitramfs(modulesDir: string, out: string, staging: string): Promise<void> {
  fs.rmSync(staging, { recursive: true, force: true });
  const at = (rel: string) => path.join(staging, rel);
  for (const d of [
    'bin',
    'sbin',
    'usr/bin',
    'usr/sbin',
    'etc/init.d',
    'lib/modules',
    'lib64',
    'dev',
    'proc',
    'sys',
    'run',
    'tmp',
    'data',
    'var',
    'root',
  ]) {
    fs.mkdirSync(at(d), { recursive: true });
  }
  fs.symlinkSync('../run', at('var/run'));
  fs.symlinkSync('../tmp', at('var/tmp'));

  // busybox and its applets as symlinks; /init is busybox's init (it reaps orphans).
  fs.copyFileSync(BUSYBOX, at('bin/busybox'));
  fs.chmodSync(at('bin/busybox'), 0o755);
  const applets = (await run(BUSYBOX, ['--list-full'])).stdout.split('\n').filter(Boolean);
  for (const applet of applets) {
    const target = at(applet);
    if (fs.existsSync(target)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(target), at('bin/busybox')), target);
  }
  fs.symlinkSync('bin/busybox', at('init'));

  // qemu-ga exactly as the host has it, with the libraries at the paths ldd found them.
  fs.copyFileSync(QEMU_GA, at('usr/sbin/qemu-ga'));
  fs.chmodSync(at('usr/sbin/qemu-ga'), 0o755);
  for (const lib of await sharedLibraries(QEMU_GA)) {
    const dest = at(lib);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(fs.realpathSync(lib), dest);
    fs.chmodSync(dest, 0o755);
  }

  const builtin = readBuiltinModules(modulesDir);
  const found = findModules(modulesDir);
  const loadable: string[] = [];
  for (const m of GUEST_MODULES) {
    const file = found.get(m);
    if (file) {
      fs.copyFileSync(file, at(`lib/modules/${m}.ko`));
      loadable.push(m);
    } else if (!builtin.has(m)) {
      throw new LabError(
        `kernel module ${m} is neither in the kernel package nor built in (${modulesDir})`,
      );
    }
  }

  const scripts: [string, string][] = [
    ['etc/inittab', INITTAB],
    ['etc/init.d/rcS', RCS],
    [WRITER_SCRIPT.slice(1), WRITER],
  ];
  for (const [rel, text] of scripts) fs.writeFileSync(at(rel), text, { mode: 0o755 });
  // /sbin/shutdown is ours, not a busybox link: qemu-ga's guest-shutdown calls it.
  fs.rmSync(at('sbin/shutdown'), { force: true });
  fs.writeFileSync(at('sbin/shutdown'), SHUTDOWN, { mode: 0o755 });
  fs.writeFileSync(at('etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(at('etc/group'), 'root:x:0:\n');

  // Plain newc, not compressed: the kernel unpacks it without spending TCG time on gunzip.
  const names = listTree(staging);
  const res = await run('cpio', ['--quiet', '-o', '-H', 'newc', '-R', '0:0', '-0'], {
    cwd: staging,
    input: names.join('\0') + '\0',
  });
  const tmp = `${out}.tmp`;
  fs.writeFileSync(tmp, res.stdoutBuffer, { mode: 0o644 });
  fs.renameSync(tmp, out);
  fs.rmSync(staging, { recursive: true, force: true });
}

function readBuiltinModules(modulesDir: string): Set<string> {
  try {
    return new Set(
      fs
        .readFileSync(path.join(modulesDir, 'modules.builtin'), 'utf8')
        .split('\n')
        .map((l) => path.basename(l, '.ko').replace(/-/g, '_')),
    );
  } catch {
    return new Set();
  }
}

function findModules(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ko')) found.set(e.name.slice(0, -3).replace(/-/g, '_'), full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

/** Relative paths of everything under dir, parents before children (cpio wants that order). */
function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      out.push(child);
      if (e.isDirectory()) walk(child);
    }
  };
  walk('');
  return out;
}
