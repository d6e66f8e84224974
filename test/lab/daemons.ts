/**
 * virtlogd and libvirtd without systemd (docs/ARCHITECTURE.md, "Daemons without systemd"):
 * started by hand with PID files in the lab dir.
 * libvirtd gets a config file of its own because the default one leaves the unix socket to
 * polkit, and without D-Bus a non-root user in group libvirt is refused ("Unable to get system
 * bus connection"). Our file opens the socket to group libvirt with no auth instead.
 *
 * Each daemon is started with `-f <labdir>/…conf`, so the config path on its command line tells
 * the lab's daemons apart from any other (and lets `up` re-adopt them if PID files were lost).
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { LIBVIRT_GROUP, LIBVIRT_URI, type LabPaths } from './config.js';
import { LabError, run, tail, waitFor, type Logger } from './exec.js';
import {
  findProcesses,
  matches,
  ourPid,
  readPidFile,
  stopProcess,
  type Expectation,
} from './procs.js';

export interface DaemonSpec {
  name: 'virtlogd' | 'libvirtd';
  bin: string;
  conf: (p: LabPaths) => string;
  pidFile: (p: LabPaths) => string;
  confText: (p: LabPaths) => string;
}

const VIRTLOGD: DaemonSpec = {
  name: 'virtlogd',
  bin: '/usr/sbin/virtlogd',
  conf: (p) => p.virtlogdConf,
  pidFile: (p) => p.virtlogdPid,
  confText: (
    p,
  ) => `# quiesce lab: virtlogd keeps QEMU's stderr logs (qemu.conf stdio_handler = "logd").
log_outputs = "3:file:${p.logs}/virtlogd.log"
`,
};

const LIBVIRTD: DaemonSpec = {
  name: 'libvirtd',
  bin: '/usr/sbin/libvirtd',
  conf: (p) => p.libvirtdConf,
  pidFile: (p) => p.libvirtdPid,
  confText: (
    p,
  ) => `# quiesce lab: no polkit here (no D-Bus), so group ${LIBVIRT_GROUP} gets the socket without auth.
unix_sock_group = "${LIBVIRT_GROUP}"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:${p.logs}/libvirtd.log"
`,
};

export const DAEMONS: readonly DaemonSpec[] = [VIRTLOGD, LIBVIRTD];

export function daemonExpectation(d: DaemonSpec, p: LabPaths): Expectation {
  return { program: d.name, argIncludes: d.conf(p) };
}

/** PID of the lab's instance of a daemon, from its PID file or (PID file lost) its command line. */
export function daemonPid(d: DaemonSpec, p: LabPaths): number | undefined {
  const expect = daemonExpectation(d, p);
  const pid = ourPid(d.pidFile(p), expect);
  if (pid !== undefined) return pid;
  const adopted = findProcesses((info) => matches(info, expect))[0];
  if (adopted && fs.existsSync(p.run)) fs.writeFileSync(d.pidFile(p), `${adopted.pid}\n`);
  return adopted?.pid;
}

async function startDaemon(d: DaemonSpec, p: LabPaths, log: Logger): Promise<number> {
  fs.writeFileSync(d.conf(p), d.confText(p), { mode: 0o644 });
  const running = daemonPid(d, p);
  if (running !== undefined) return running;

  // Another libvirtd/virtlogd owns /run/libvirt's sockets: ours could not start, and reusing it
  // would hide a config without group access. Say who it is instead of guessing.
  const foreign = findProcesses((info) => matches(info, { program: d.name }));
  if (foreign.length > 0) {
    const who = foreign.map((f) => `pid ${f.pid}: ${f.argv.join(' ')}`).join('; ');
    throw new LabError(
      `${d.name} is already running but was not started by this lab (${who}). ` +
        `Stop it (or run \`npm run lab -- down\` with the QUIESCE_LAB_DIR that started it) and retry.`,
    );
  }

  fs.rmSync(d.pidFile(p), { force: true });
  log(`starting ${d.name}`);
  // -d daemonizes: the launcher exits once the daemon is set up. Its stdio goes to /dev/null
  // so our pipes are not held open by the daemon.
  const child = spawn(d.bin, ['-d', '-p', d.pidFile(p), '-f', d.conf(p)], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const logFile = `${p.logs}/${d.name}.log`;
  const describe = () => {
    let logTail = '';
    try {
      logTail = tail(fs.readFileSync(logFile, 'utf8'), 10);
    } catch {
      // no log yet
    }
    return `${d.name} did not start (launcher exit ${code}); ${logFile}:\n${logTail}`;
  };
  if (code !== 0) throw new LabError(describe());
  return waitFor(() => ourPid(d.pidFile(p), daemonExpectation(d, p)), {
    timeoutMs: 20_000,
    describe,
  });
}

/**
 * Without udev, a /dev/kvm that exists stays root:root 0600. libvirt then finds KVM enabled when
 * it probes QEMU but "not usable" by the libvirt-qemu user when it checks its cache, so it throws
 * the cache away and re-probes on every call (each `virsh define` took ~50 s). Give the node the
 * owner and mode udev would (root:kvm 0660). The lab's guests still run TCG (type='qemu').
 */
async function alignKvmDevice(log: Logger): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.statSync('/dev/kvm');
  } catch {
    return; // no /dev/kvm: libvirt's view is consistent already
  }
  const kvmGid = Number(
    (await run('getent', ['group', 'kvm'], { check: false })).stdout.split(':')[2],
  );
  if (!Number.isInteger(kvmGid)) return;
  if (st.gid !== kvmGid || (st.mode & 0o060) !== 0o060) {
    log(
      '/dev/kvm: setting root:kvm 0660 as udev would (else libvirt re-probes QEMU on every call)',
    );
    fs.chownSync('/dev/kvm', 0, kvmGid);
    fs.chmodSync('/dev/kvm', 0o660);
  }
}

const QEMU_CONF = '/etc/libvirt/qemu.conf';

/**
 * In a chroot (e.g. a fresh-Debian check run in a chroot), libvirt cannot build
 * QEMU's private /dev namespace and every guest start fails. A chroot cannot be told reliably
 * from inside (/proc/1/root is not readable here), so the caller says so:
 * QUIESCE_LAB_IN_CHROOT=1 turns the namespaces off in qemu.conf (libvirt's system config has no
 * per-daemon override for it).
 */
function allowQemuInChroot(log: Logger): void {
  if (process.env.QUIESCE_LAB_IN_CHROOT !== '1') return;
  const conf = fs.existsSync(QEMU_CONF) ? fs.readFileSync(QEMU_CONF, 'utf8') : '';
  if (/^\s*namespaces\s*=/m.test(conf)) return;
  log(
    `chroot detected: setting namespaces = [] in ${QEMU_CONF} (QEMU cannot get a private /dev here)`,
  );
  fs.appendFileSync(
    QEMU_CONF,
    '\n# quiesce lab: running in a chroot, no private /dev for QEMU\nnamespaces = []\n',
  );
}

/** Starts virtlogd then libvirtd (libvirtd hands QEMU's logs to virtlogd) and waits for the API. */
export async function startLibvirt(p: LabPaths, log: Logger): Promise<void> {
  fs.mkdirSync(p.run, { recursive: true });
  fs.mkdirSync(p.logs, { recursive: true });
  await alignKvmDevice(log);
  allowQemuInChroot(log);
  for (const d of DAEMONS) await startDaemon(d, p, log);
  // The first connection waits ~4 s while libvirt probes QEMU's capabilities (cached after that).
  await waitFor(
    async () => {
      const res = await run('virsh', ['-c', LIBVIRT_URI, 'version'], {
        check: false,
        timeoutMs: 60_000,
      });
      return res.code === 0 ? true : undefined;
    },
    {
      timeoutMs: 90_000,
      intervalMs: 500,
      describe: () =>
        `libvirtd is running but \`virsh -c ${LIBVIRT_URI} version\` does not answer; see ${p.logs}/libvirtd.log`,
    },
  );
}

/** Stops libvirtd first (it talks to virtlogd), each by its recorded and re-verified PID. */
export async function stopLibvirt(p: LabPaths, log: Logger): Promise<void> {
  for (const d of [...DAEMONS].reverse()) {
    const pid = daemonPid(d, p);
    if (pid !== undefined) {
      log(`stopping ${d.name} (pid ${pid})`);
      await stopProcess(pid, daemonExpectation(d, p), 15_000);
    }
    fs.rmSync(d.pidFile(p), { force: true });
  }
}

export function libvirtStatus(
  p: LabPaths,
): Record<string, { pid: number | null; running: boolean }> {
  const out: Record<string, { pid: number | null; running: boolean }> = {};
  for (const d of DAEMONS) {
    const pid = daemonPid(d, p);
    out[d.name] = { pid: pid ?? readPidFile(d.pidFile(p)) ?? null, running: pid !== undefined };
  }
  return out;
}
