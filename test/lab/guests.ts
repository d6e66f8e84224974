/**
 * The three real QEMU (TCG) guests in qemu:///system. They share one kernel and initramfs and
 * differ only in the agent channel and a kernel command-line switch (see guest-scripts.ts).
 * Each guest has its own folder <labdir>/guests/<name>/ holding its data disk, console log and
 * the XML it was defined from; snapshot overlays that libvirt puts next to the disk land there
 * too, so recreating a guest starts from a clean folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  GUESTS,
  LIBVIRT_GROUP,
  extraAgentGuestSpec,
  isExtraAgentGuestName,
  type GuestSpec,
  type LabPaths,
} from './config.js';
import { LabError, run, tail, waitFor, type Logger } from './exec.js';
import type { GuestImage } from './guest-image.js';
import { READY_MARKER, WRITER_LOG, WRITER_SCRIPT } from './guest-scripts.js';
import { findProcesses, stopProcess } from './procs.js';
import { agentCommand, domainState, guestExec, virsh } from './virsh.js';

const DATA_DISK_MIB = 64;
const BOOT_TIMEOUT_MS = Number(process.env.QUIESCE_LAB_BOOT_TIMEOUT_MS ?? 180_000);

export function guestFiles(p: LabPaths, name: string) {
  const dir = p.guestDir(name);
  return {
    dir,
    disk: path.join(dir, 'data.qcow2'),
    console: path.join(dir, 'console.log'),
    xml: path.join(dir, 'domain.xml'),
  };
}

const xmlEscape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');

export function domainXml(spec: GuestSpec, image: GuestImage, p: LabPaths): string {
  const f = guestFiles(p, spec.name);
  const cmdline = `console=ttyS0 panic=-1 quiet quiesce.agent=${spec.agent ? 1 : 0} quiesce.writer=0`;
  const channel = spec.channel
    ? `
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>`
    : '';
  return `<domain type='qemu'>
  <name>${xmlEscape(spec.name)}</name>
  <description>quiesce lab guest (role ${spec.role}, image ${image.id})</description>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${xmlEscape(image.vmlinux)}</kernel>
    <initrd>${xmlEscape(image.initramfs)}</initrd>
    <cmdline>${cmdline}</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${xmlEscape(f.disk)}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='usb' model='none'/>
    <serial type='file'>
      <source path='${xmlEscape(f.console)}'/>
      <target port='0'/>
    </serial>${channel}
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

/** A small ext4 disk (prefilled with one file) as qcow2: truncate, mkfs.ext4 -d, qemu-img convert. */
/** The libvirt group's id (the lab user's group for libvirt access). */
function libvirtGid(): number {
  const line = fs
    .readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${LIBVIRT_GROUP}:`));
  const gid = Number(line?.split(':')[2]);
  if (!Number.isInteger(gid))
    throw new LabError(`group ${LIBVIRT_GROUP} is missing: is libvirt-daemon-system installed?`);
  return gid;
}

async function createDataDisk(dir: string, disk: string, name: string): Promise<void> {
  const raw = path.join(dir, 'data.raw');
  const seed = path.join(dir, 'seed');
  fs.mkdirSync(seed, { recursive: true });
  fs.writeFileSync(path.join(seed, 'README'), `quiesce lab data disk of ${name}\n`);
  fs.writeFileSync(raw, '');
  fs.truncateSync(raw, DATA_DISK_MIB * 1024 * 1024);
  await run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-L', 'quiesce-data', '-d', seed, raw]);
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, disk]);
  fs.rmSync(raw, { force: true });
  fs.rmSync(seed, { recursive: true, force: true });
  fs.chmodSync(disk, 0o644);
}

async function removeDomain(name: string): Promise<void> {
  await virsh(['destroy', name], { check: false });
  // Tests leave snapshots and checkpoints behind; their metadata would block undefine.
  await virsh(
    ['undefine', name, '--snapshots-metadata', '--checkpoints-metadata', '--managed-save'],
    {
      check: false,
    },
  );
}

function consoleTail(p: LabPaths, name: string): string {
  try {
    return tail(fs.readFileSync(guestFiles(p, name).console, 'utf8'), 20);
  } catch {
    return '(no console output)';
  }
}

async function bootFailure(p: LabPaths, name: string, what: string): Promise<string> {
  const state = (await domainState(name)) ?? 'undefined';
  let qemuLog = '';
  try {
    qemuLog = tail(fs.readFileSync(`/var/log/libvirt/qemu/${name}.log`, 'utf8'), 5);
  } catch {
    // no QEMU log
  }
  // A guest that cannot boot may loop through panic/reboot and eat a core: stop it.
  await virsh(['destroy', name], { check: false });
  return (
    `${name}: ${what} within ${BOOT_TIMEOUT_MS / 1000} s (state was: ${state}; the guest has been destroyed). ` +
    `Console log ${guestFiles(p, name).console}, last lines:\n${consoleTail(p, name)}` +
    (qemuLog ? `\nQEMU log /var/log/libvirt/qemu/${name}.log:\n${qemuLog}` : '') +
    `\nA busy machine boots slower: raise QUIESCE_LAB_BOOT_TIMEOUT_MS, or run \`npm run lab -- down\` and up again.`
  );
}

async function agentAnswers(name: string): Promise<boolean> {
  try {
    await agentCommand(name, { execute: 'guest-ping' }, { timeoutSec: 2 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits for rcS's ready line on the console (or, for the agent guest, an answered guest-ping)
 * and, for the agent guest, for guest-ping.
 */
async function waitUntilReady(spec: GuestSpec, p: LabPaths): Promise<void> {
  const consoleFile = guestFiles(p, spec.name).console;
  await waitFor(
    async () => {
      const text = fs.existsSync(consoleFile) ? fs.readFileSync(consoleFile, 'utf8') : '';
      if (text.includes(READY_MARKER)) return true;
      // A guest resumed from a memory image (a checkpoint's revert) booted before this QEMU
      // started, so its new console never shows the ready line: its agent answering says it is up
      if (spec.agent && (await agentAnswers(spec.name))) return true;
      const state = await domainState(spec.name);
      if (state !== 'running')
        throw new LabError(await bootFailure(p, spec.name, `stopped while booting (${state})`));
      return undefined;
    },
    {
      timeoutMs: BOOT_TIMEOUT_MS,
      intervalMs: 250,
      describe: () => bootFailure(p, spec.name, 'did not finish booting'),
    },
  );
  if (!spec.agent) return;
  await waitFor(
    async () => {
      try {
        await agentCommand(spec.name, { execute: 'guest-ping' }, { timeoutSec: 5 });
        return true;
      } catch {
        return undefined;
      }
    },
    {
      timeoutMs: BOOT_TIMEOUT_MS,
      intervalMs: 300,
      describe: () => bootFailure(p, spec.name, 'booted but its agent does not answer guest-ping'),
    },
  );
}

/** Defines (if needed), starts (if needed) and waits for one guest. Returns its UUID. */
export async function ensureGuest(
  spec: GuestSpec,
  image: GuestImage,
  p: LabPaths,
  log: Logger,
): Promise<string> {
  const f = guestFiles(p, spec.name);
  const xml = domainXml(spec, image, p);
  let state = await domainState(spec.name);
  const definedFrom = fs.existsSync(f.xml) ? fs.readFileSync(f.xml, 'utf8') : undefined;
  if (state !== undefined && definedFrom !== xml) {
    log(`${spec.name}: definition changed (new image or lab code): recreating it`);
    await removeDomain(spec.name);
    state = undefined;
  }
  if (state === undefined) {
    log(`${spec.name}: creating data disk and defining the domain`);
    fs.rmSync(f.dir, { recursive: true, force: true });
    fs.mkdirSync(f.dir, { recursive: true, mode: 0o755 });
    await createDataDisk(f.dir, f.disk, spec.name);
    fs.writeFileSync(f.xml, xml);
    await virsh(['define', f.xml]);
    state = 'shut off';
  }
  // As an admin would set it up for the shortest freeze (README): the SSH user (group libvirt)
  // may create files in the image folder, so the runner pre-creates overlays before the freeze.
  fs.chownSync(f.dir, 0, libvirtGid());
  fs.chmodSync(f.dir, 0o2775);
  if (state === 'paused') {
    log(`${spec.name}: was paused, resuming`);
    recordHeal(p, spec.name, 'paused', 'resumed');
    await virsh(['resume', spec.name]);
  } else if (state === 'running' && !(await looksHealthy(spec, p))) {
    // A test may have left the agent stopped (kill -STOP) or the guest wedged: start it afresh
    // rather than wait for a boot that already happened.
    log(`${spec.name}: running but not answering as it should: restarting it`);
    recordHeal(p, spec.name, 'agent-not-answering', 'restarted');
    await virsh(['destroy', spec.name], { check: false });
    state = 'shut off';
  }
  if (state !== 'running' && state !== 'paused') {
    if (state !== 'shut off') await virsh(['destroy', spec.name], { check: false }); // crashed, in shutdown…
    log(`${spec.name}: starting`);
    // libvirt opens the console file in append mode: clear it so the ready line we wait for
    // is from this boot, not the previous one.
    if (fs.existsSync(f.console)) fs.truncateSync(f.console, 0);
    await virsh(['start', spec.name]);
  }
  await waitUntilReady(spec, p);
  if (spec.agent) {
    // Rule 1 of the product holds for its lab too: never leave a guest frozen.
    // Healing it must not hide it: whoever left it frozen broke that rule, so say it loudly and
    // record it (npm test fails a run whose lab had to be thawed after a tier).
    const frozen = await agentCommand(spec.name, { execute: 'guest-fsfreeze-status' });
    if (frozen === 'frozen') {
      const bar = '!'.repeat(78);
      log(
        `\n${bar}\n!! ${spec.name} WAS LEFT FROZEN (guest-fsfreeze-status: frozen): thawing it now.\n` +
          `!! Something broke "a guest is never left frozen": the last test or snapshot run on\n` +
          `!! this lab. Recorded in ${p.heals}.\n${bar}`,
      );
      const thawed = await agentCommand(spec.name, { execute: 'guest-fsfreeze-thaw' });
      recordHeal(p, spec.name, 'frozen', `thawed ${JSON.stringify(thawed)} filesystem(s)`);
    }
  }
  return (await virsh(['domuuid', spec.name])).stdout.trim();
}

export type HealKind = 'frozen' | 'paused' | 'agent-not-answering';

/** One heal `up` did, as recorded in <labdir>/run/heals.jsonl. */
export interface HealRecord {
  at: string;
  guest: string;
  kind: HealKind;
  action: string;
  pid: number;
}

function recordHeal(p: LabPaths, guest: string, kind: HealKind, action: string): void {
  const rec: HealRecord = { at: new Date().toISOString(), guest, kind, action, pid: process.pid };
  fs.mkdirSync(path.dirname(p.heals), { recursive: true });
  fs.appendFileSync(p.heals, JSON.stringify(rec) + '\n');
}

/** Every heal recorded so far (oldest first); lines that do not parse are skipped. */
export function readHeals(p: LabPaths): HealRecord[] {
  let text = '';
  try {
    text = fs.readFileSync(p.heals, 'utf8');
  } catch {
    return [];
  }
  const out: HealRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as HealRecord);
    } catch {
      // a torn line (two ups at once cannot happen: lab.lock) — skip it
    }
  }
  return out;
}

/** For a guest found running: did it finish booting, and does its agent (if any) answer? */
async function looksHealthy(spec: GuestSpec, p: LabPaths): Promise<boolean> {
  const consoleFile = guestFiles(p, spec.name).console;
  const text = fs.existsSync(consoleFile) ? fs.readFileSync(consoleFile, 'utf8') : '';
  if (!text.includes(READY_MARKER)) return true; // still booting: waitUntilReady decides
  if (!spec.agent) return true;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await agentCommand(spec.name, { execute: 'guest-ping' }, { timeoutSec: 5 });
      return true;
    } catch {
      // one retry: a busy TCG guest may miss one 5 s window
    }
  }
  return false;
}

export async function ensureGuests(
  image: GuestImage,
  p: LabPaths,
  log: Logger,
): Promise<Map<string, string>> {
  fs.mkdirSync(p.guestsDir, { recursive: true, mode: 0o755 });
  const t0 = Date.now();
  // In parallel: three TCG boots on two cores still beat three boots in a row.
  const uuids = await Promise.all(GUESTS.map((g) => ensureGuest(g, image, p, log)));
  log(`guests ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return new Map(GUESTS.map((g, i) => [g.name, uuids[i] ?? '']));
}

/**
 * QEMU processes of lab guests (extra agent guests included), recognised by
 * `-name guest=<name>,…` on their command line.
 */
export function labQemuProcesses() {
  const names = GUESTS.map((g) => g.name);
  const guestArg = /^guest=([^,]*)(,|$)/;
  return findProcesses(
    (i) =>
      /^qemu-system-/.test(path.basename(i.exe || i.argv[0] || '')) &&
      i.argv.some(
        (a) =>
          names.some((n) => a === `guest=${n}` || a.startsWith(`guest=${n},`)) ||
          isExtraAgentGuestName(guestArg.exec(a)?.[1] ?? ''),
      ),
  );
}

/** Extra agent guests (`quiesce-lab-agent-N`) libvirt knows, running or not. */
export async function definedExtraAgentGuests(): Promise<string[]> {
  const res = await virsh(['list', '--all', '--name'], { check: false });
  if (res.code !== 0) return [];
  return res.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(isExtraAgentGuestName)
    .sort();
}

/**
 * Makes `count` extra agent guests (quiesce-lab-agent-2 … -<count+1>) run with a responding
 * agent, built exactly like the lab's agent guest (same image, domainXml and ensureGuest), and
 * removes any beyond that count. Boots in parallel. Returns names and UUIDs in order.
 */
export async function ensureExtraAgentGuestDomains(
  count: number,
  image: GuestImage,
  p: LabPaths,
  log: Logger,
): Promise<{ name: string; uuid: string }[]> {
  const specs = Array.from({ length: count }, (_, i) => extraAgentGuestSpec(i + 2));
  const wanted = new Set(specs.map((s) => s.name));
  const surplus = (await definedExtraAgentGuests()).filter((n) => !wanted.has(n));
  await Promise.all(surplus.map((n) => removeExtraAgentGuestDomain(n, p, log)));
  fs.mkdirSync(p.guestsDir, { recursive: true, mode: 0o755 });
  const t0 = Date.now();
  const uuids = await Promise.all(specs.map((g) => ensureGuest(g, image, p, log)));
  if (count > 0) log(`extra agent guests ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return specs.map((g, i) => ({ name: g.name, uuid: uuids[i] ?? '' }));
}

/** Destroys and undefines one extra agent guest and deletes its folder (disk, console log). */
export async function removeExtraAgentGuestDomain(
  name: string,
  p: LabPaths,
  log: Logger,
): Promise<void> {
  if (!isExtraAgentGuestName(name)) throw new LabError(`${name} is not an extra agent guest`);
  log(`${name}: destroy + undefine`);
  await removeDomain(name);
  fs.rmSync(guestFiles(p, name).dir, { recursive: true, force: true });
}

/** Destroys and undefines the lab guests; kills any QEMU left of them (e.g. libvirtd died first). */
export async function removeGuests(libvirtUp: boolean, log: Logger): Promise<void> {
  if (libvirtUp) {
    // In parallel: each destroy waits for its QEMU to be reaped, which takes a second or two here.
    // Extra agent guests are included: a bench or test that added them may have died first.
    const extras = await definedExtraAgentGuests();
    await Promise.all(
      [...GUESTS.map((g) => g.name), ...extras].map(async (name) => {
        if ((await domainState(name)) !== undefined) {
          log(`${name}: destroy + undefine`);
          await removeDomain(name);
        }
      }),
    );
  }
  for (const q of labQemuProcesses()) {
    log(`killing leftover QEMU pid ${q.pid}`);
    await stopProcess(q.pid, { program: path.basename(q.exe || q.argv[0] || '') }, 10_000);
  }
}

/** Starts (truncating /data/writer.log) or stops the 10 ms timestamp writer in a guest. */
export async function setGuestWriter(domain: string, on: boolean): Promise<void> {
  const res = await guestExec(domain, WRITER_SCRIPT, [on ? 'start' : 'stop']);
  if (res.exitcode !== 0 || res.stdout.trim() !== (on ? 'on' : 'off')) {
    throw new LabError(
      `${WRITER_SCRIPT} ${on ? 'start' : 'stop'} in ${domain} failed: ${res.stdout}${res.stderr}`,
    );
  }
}

/**
 * The writer's samples so far: the guest's CLOCK_MONOTONIC in ns, one per ~10 ms tick. A write
 * blocked by a frozen /data shows as a larger step between consecutive samples.
 */
export async function readGuestWriterLog(domain: string): Promise<number[]> {
  const res = await guestExec(domain, '/bin/cat', [WRITER_LOG]);
  if (res.exitcode !== 0)
    throw new LabError(`cannot read ${WRITER_LOG} in ${domain}: ${res.stderr}`);
  return res.stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}
