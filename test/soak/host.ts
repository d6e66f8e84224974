/**
 * What the soak reads and does on the lab host as root, beside the app: the guest's freeze state,
 * the disks' backing chains, the frozen images' ext4 state, the domain lock, overlay files that
 * no chain uses. Nothing here goes through the app: these are the checks the app is judged by.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { run, type RunResult } from '../lab/exec';

export function virshRoot(
  uri: string,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<RunResult> {
  return run('virsh', ['-q', '-c', uri, ...args], {
    check: false,
    timeoutMs: opts.timeoutMs ?? 60_000,
    env: { ...process.env, LC_ALL: 'C' },
  }).catch((e: Error): RunResult => ({
    code: -1,
    signal: null,
    stdout: '',
    stdoutBuffer: Buffer.alloc(0),
    stderr: e.message,
    ms: 0,
  }));
}

/** Throws with virsh's own words when it fails. */
export async function virshOk(uri: string, args: readonly string[], timeoutMs = 60_000) {
  const r = await virshRoot(uri, args, { timeoutMs });
  if (r.code !== 0)
    throw new Error(
      `virsh ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`,
    );
  return r.stdout;
}

export type FreezeReading = 'frozen' | 'thawed' | 'unknown';

/** guest-fsfreeze-status through libvirt, as root; "unknown" when the agent or libvirt does not say. */
export async function freezeStatus(
  uri: string,
  domain: string,
  timeoutSec = 1,
): Promise<{ value: FreezeReading; detail: string }> {
  const r = await virshRoot(
    uri,
    [
      'qemu-agent-command',
      domain,
      '{"execute":"guest-fsfreeze-status"}',
      '--timeout',
      String(timeoutSec),
    ],
    { timeoutMs: (timeoutSec + 8) * 1000 },
  );
  const out = r.stdout.trim();
  if (r.code === 0) {
    if (/"return"\s*:\s*"frozen"/.test(out)) return { value: 'frozen', detail: out };
    if (/"return"\s*:\s*"thawed"/.test(out)) return { value: 'thawed', detail: out };
  }
  return { value: 'unknown', detail: (r.stderr || out).trim() };
}

export async function agentAnswers(uri: string, domain: string, timeoutSec = 2): Promise<boolean> {
  const r = await virshRoot(
    uri,
    ['qemu-agent-command', domain, '{"execute":"guest-ping"}', '--timeout', String(timeoutSec)],
    { timeoutMs: (timeoutSec + 8) * 1000 },
  );
  return r.code === 0;
}

/** "running", "paused (ioerror)", "shut off (destroyed)"…; "unknown: …" when libvirt does not say. */
export async function domainState(uri: string, domain: string): Promise<string> {
  const r = await virshRoot(uri, ['domstate', domain, '--reason']);
  return r.code === 0 ? r.stdout.trim() : `unknown: ${r.stderr.trim()}`;
}

/** The domain's file-backed disks and their current top images (`domblklist --details`). */
export async function diskTops(
  uri: string,
  domain: string,
): Promise<{ target: string; source: string }[]> {
  const out = await virshOk(uri, ['domblklist', domain, '--details']);
  const disks: { target: string; source: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m || m[1] !== 'file' || m[2] !== 'disk' || m[4] === '-') continue;
    disks.push({ target: m[3]!, source: m[4]! });
  }
  return disks;
}

interface ImageInfo {
  filename?: string;
  format?: string;
  'virtual-size'?: number;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
}

export async function imageInfo(file: string): Promise<ImageInfo> {
  const r = await run('qemu-img', ['info', '-U', '--output=json', file], { timeoutMs: 30_000 });
  return JSON.parse(r.stdout) as ImageInfo;
}

/** The backing file of an image as qemu-img reads it (absolute), if it has one. */
export async function backingOf(file: string): Promise<string | undefined> {
  const info = await imageInfo(file);
  const b = info['full-backing-filename'] ?? info['backing-filename'];
  return b ? resolve(dirname(file), b) : undefined;
}

/**
 * Every file of a backing chain, top first, walked one image at a time (so a missing file is
 * named rather than failing the whole `--backing-chain` read); `missing` lists files that the
 * chain names and that do not exist.
 */
export async function backingChain(
  top: string,
): Promise<{ files: string[]; missing: string[]; error?: string }> {
  const files: string[] = [];
  const missing: string[] = [];
  let cur: string | undefined = top;
  for (let depth = 0; cur && depth < 64; depth++) {
    if (!existsSync(cur)) {
      missing.push(cur);
      break;
    }
    files.push(cur);
    try {
      cur = await backingOf(cur);
    } catch (e) {
      return { files, missing, error: `${cur}: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return { files, missing };
}

const unxml = (s: string) =>
  s
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Every `<source file=…>` of the live domain's disks, backing stores included (libvirt's view). */
export async function liveSources(uri: string, domain: string): Promise<string[]> {
  const xml = await virshOk(uri, ['dumpxml', domain]);
  const out: string[] = [];
  for (const disk of xml.match(/<disk [\s\S]*?<\/disk>/g) ?? []) {
    for (const m of disk.matchAll(/<source file=(['"])(.*?)\1/g)) out.push(unxml(m[2]!));
  }
  return out;
}

export async function snapshotNames(uri: string, domain: string): Promise<string[]> {
  const out = await virshOk(uri, ['snapshot-list', domain, '--name', '--topological']);
  return out
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The files a (disk-only, external) snapshot made: its `<disks>`' sources, i.e. its overlays. */
export async function snapshotOverlays(
  uri: string,
  domain: string,
  name: string,
): Promise<{ target: string; file: string }[]> {
  const xml = await virshOk(uri, ['snapshot-dumpxml', domain, '--snapshotname', name]);
  const disks = /<disks>([\s\S]*?)<\/disks>/.exec(xml)?.[1] ?? '';
  const out: { target: string; file: string }[] = [];
  for (const d of disks.match(/<disk [\s\S]*?(?:<\/disk>|\/>)/g) ?? []) {
    const target = /name=(['"])(.*?)\1/.exec(d)?.[2];
    const file = /<source file=(['"])(.*?)\1/.exec(d)?.[2];
    if (target && file) out.push({ target: unxml(target), file: unxml(file) });
  }
  return out;
}

/**
 * needs_recovery in the ext4 superblock of an image (with its backing chain) as it is on disk:
 * the deterministic consistency test (docs/ARCHITECTURE.md, "Consistency can be checked"). An
 * image cut while ext4 was frozen is clean.
 */
export async function needsRecovery(image: string): Promise<{ needs?: boolean; error?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-soak-img-'));
  const raw = join(dir, 'disk.raw');
  try {
    await run('qemu-img', ['convert', '-U', '-O', 'raw', image, raw], { timeoutMs: 120_000 });
    const r = await run('dumpe2fs', ['-h', raw], { check: false, timeoutMs: 30_000 });
    const features = /^Filesystem features:\s*(.*)$/m.exec(r.stdout)?.[1];
    if (features === undefined)
      return { error: `dumpe2fs -h found no ext4 superblock: ${r.stderr.trim().split('\n')[0]}` };
    return { needs: /\bneeds_recovery\b/.test(features) };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type LockState = 'free' | 'held' | 'stale';

/**
 * The per-domain lock under the SSH user's host folder: `locks/<uuid>.lock` taken with flock (the
 * runner as rewritten), or the older `locks/<uuid>` directory with the holder's pid in it.
 */
export async function lockState(
  hostDir: string,
  uuid: string,
): Promise<{ state: LockState; form: 'flock' | 'dir' | 'none'; detail?: string }> {
  const file = join(hostDir, 'locks', `${uuid}.lock`);
  const dir = join(hostDir, 'locks', uuid);
  if (existsSync(file) && statSync(file).isFile()) {
    // Exists already, so flock(1) creates nothing; 75: another process holds it.
    const r = await run('flock', ['-n', '-E', '75', file, 'true'], { check: false });
    if (r.code === 0) return { state: 'free', form: 'flock' };
    return { state: 'held', form: 'flock', detail: `flock -n ${file}: exit ${r.code}` };
  }
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    let pid = NaN;
    try {
      pid = Number((await run('cat', [join(dir, 'pid')], { check: false })).stdout.trim() || 'NaN');
    } catch {
      // no pid file
    }
    const alive = Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`);
    return alive
      ? { state: 'held', form: 'dir', detail: `${dir} held by pid ${pid}` }
      : { state: 'stale', form: 'dir', detail: `${dir} left by pid ${pid} (not running)` };
  }
  return { state: 'free', form: 'none' };
}

/**
 * Every file any domain on the host uses: each disk's whole backing chain, and the overlays that
 * libvirt's snapshot records name (still referenced, so not orphans).
 */
export async function filesInUse(uri: string): Promise<Set<string>> {
  const used = new Set<string>();
  const uuids = (await virshOk(uri, ['list', '--all', '--uuid']))
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  // The domains, and the three reads of each, side by side: a dozen virsh and qemu-img processes
  // one after another took 1-2 s on the loaded lab machine, and the soak reads this 2-3 times a run.
  const files = await Promise.all(
    uuids.flatMap((u) => [
      liveSources(uri, u).catch(() => [] as string[]),
      diskTops(uri, u)
        .catch(() => [])
        .then(async (tops) =>
          (await Promise.all(tops.map(async (d) => (await backingChain(d.source)).files))).flat(),
        ),
      snapshotNames(uri, u)
        .catch(() => [] as string[])
        .then(async (names) =>
          (
            await Promise.all(names.map((n) => snapshotOverlays(uri, u, n).catch(() => [])))
          ).flatMap((os) => os.map((o) => o.file)),
        ),
    ]),
  );
  for (const f of files.flat()) used.add(f);
  return used;
}

/** Image files (*.qcow2) in these folders. */
export function imageFiles(dirs: Iterable<string>): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      const f = join(d, n);
      try {
        if (n.endsWith('.qcow2') && statSync(f).isFile()) out.push(f);
      } catch {
        // vanished meanwhile
      }
    }
  }
  return out.sort();
}

/** Processes of a user whose command line mentions a string (e.g. an operation's folder). */
export function userProcessesMentioning(
  uid: number,
  needle: string,
): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
      if (/^State:\s+Z/m.test(status)) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmd.includes(needle)) out.push({ pid: Number(name), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
