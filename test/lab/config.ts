/**
 * Where the lab lives and what it is called. Every other lab module takes its paths from here,
 * so a second lab (another QUIESCE_LAB_DIR / QUIESCE_LAB_PORT) never touches the first one's files.
 */
import path from 'node:path';

/** The three real guests and what each one is for. Names are fixed: tests and docs use them. */
export type GuestRole = 'agent' | 'no-agent' | 'no-channel';

export interface GuestSpec {
  name: string;
  role: GuestRole;
  /** The domain has the virtio-serial channel org.qemu.guest_agent.0. */
  channel: boolean;
  /** qemu-ga is started inside the guest (kernel command-line switch quiesce.agent=1). */
  agent: boolean;
}

export const GUESTS: readonly GuestSpec[] = [
  { name: 'quiesce-lab-agent', role: 'agent', channel: true, agent: true },
  { name: 'quiesce-lab-noagent', role: 'no-agent', channel: true, agent: false },
  { name: 'quiesce-lab-nochannel', role: 'no-channel', channel: false, agent: false },
];

/**
 * Extra agent guests (`quiesce-lab-agent-2`, `-3`, …): clones of the agent guest that a caller
 * adds for a while (the bench hangs several agents at once) and removes again. They are not part
 * of `up` — the tiers expect exactly the three guests above — but `down` removes any left over.
 */
export const EXTRA_AGENT_GUEST_PREFIX = 'quiesce-lab-agent-';
export const MAX_EXTRA_AGENT_GUESTS = 8;

/** The n-th extra agent guest, n = 2, 3, … (the lab's own agent guest counts as the first). */
export function extraAgentGuestSpec(n: number): GuestSpec {
  if (!Number.isInteger(n) || n < 2 || n > MAX_EXTRA_AGENT_GUESTS + 1)
    throw new Error(`extra agent guests are numbered 2..${MAX_EXTRA_AGENT_GUESTS + 1}, got ${n}`);
  return { name: `${EXTRA_AGENT_GUEST_PREFIX}${n}`, role: 'agent', channel: true, agent: true };
}

export function isExtraAgentGuestName(name: string): boolean {
  return /^quiesce-lab-agent-\d+$/.test(name);
}

export const LAB_USER = 'quiesce-lab';
export const LIBVIRT_GROUP = 'libvirt';
export const LIBVIRT_URI = 'qemu:///system';
export const LISTEN_ADDRESS = '127.0.0.1';
export const TEST_DRIVER_DOMAINS = 200;

/** Debian packages the lab needs on a fresh machine (chromium is the GUI tier's business). */
export const DEBIAN_PACKAGES: readonly string[] = [
  'libvirt-daemon-system',
  'libvirt-clients',
  'qemu-system-x86',
  'qemu-utils',
  'qemu-guest-agent',
  'openssh-server',
  'busybox-static',
  'e2fsprogs',
  'cpio',
  'kmod',
  'xz-utils',
  'procps',
  // schedules: the SSH user's crontab where it has no systemd user manager (docs/schedules.md)
  'cron',
];

export interface LabConfig {
  labDir: string;
  port: number;
}

/** Reads QUIESCE_LAB_DIR / QUIESCE_LAB_PORT; explicit options win over the environment. */
export function labConfig(overrides: Partial<LabConfig> = {}): LabConfig {
  const labDir = path.resolve(
    overrides.labDir ?? process.env.QUIESCE_LAB_DIR ?? '/tmp/quiesce-lab',
  );
  const portText = overrides.port ?? process.env.QUIESCE_LAB_PORT ?? '2222';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`QUIESCE_LAB_PORT must be a TCP port number, got ${JSON.stringify(portText)}`);
  }
  return { labDir, port };
}

/** Every file the lab writes, derived from the lab dir. */
export function labPaths(labDir: string) {
  const run = path.join(labDir, 'run');
  const sshd = path.join(labDir, 'sshd');
  const cache = path.join(labDir, 'cache');
  const logs = path.join(labDir, 'logs');
  return {
    labDir,
    run,
    logs,
    cache,
    profile: path.join(labDir, 'profile.json'),
    testNodeXml: path.join(labDir, 'test-node.xml'),
    // Client side of SSH: root's test processes use these.
    clientKey: path.join(labDir, 'id_ed25519'),
    knownHosts: path.join(labDir, 'known_hosts'),
    // Daemons.
    virtlogdConf: path.join(labDir, 'virtlogd.conf'),
    libvirtdConf: path.join(labDir, 'libvirtd.conf'),
    virtlogdPid: path.join(run, 'virtlogd.pid'),
    libvirtdPid: path.join(run, 'libvirtd.pid'),
    sshdPid: path.join(run, 'sshd.pid'),
    /**
     * One JSON line per heal `up` had to do (a guest left frozen, paused, or with a dead agent):
     * a heal is a test that left the lab broken, and `npm test` fails on a frozen one.
     */
    heals: path.join(run, 'heals.jsonl'),
    sshdDir: sshd,
    sshdConfig: path.join(sshd, 'sshd_config'),
    hostKey: path.join(sshd, 'ssh_host_ed25519_key'),
    originalHostKey: path.join(sshd, 'ssh_host_ed25519_key.original'),
    authorizedKeys: path.join(sshd, 'authorized_keys'),
    sshdLog: path.join(logs, 'sshd.log'),
    // Guest image cache (kept by `down`).
    kernelDeb: path.join(cache, 'kernel'),
    vmlinux: path.join(cache, 'vmlinux'),
    initramfs: path.join(cache, 'initramfs.cpio'),
    imageStamp: path.join(cache, 'image.json'),
    guestsDir: path.join(labDir, 'guests'),
    guestDir: (name: string) => path.join(labDir, 'guests', name),
  };
}

export type LabPaths = ReturnType<typeof labPaths>;
