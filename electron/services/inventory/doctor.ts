import type { DomainState } from '../../../shared/domains';
import { DOMAIN_STATES } from '../../../shared/domains';
import type {
  DoctorReport,
  DoctorStep,
  GuestFilesystem,
  Readiness,
} from '../../../shared/readiness';
import doctorScript from '../host-scripts/doctor.sh?raw';
import { gatherScript } from '../host-scripts/gather-script';
import { shellCommand } from '../shell/quote';
import type { SshConnection } from '../ssh/ssh-connection';
import { AppError } from '../app-error';
import { explainVirshFailure } from '../virsh/virsh-errors';
import { AGENT_CHANNEL_XML, readDomainXml, type AgentChannel } from './domain-xml';
import { captureText, parseGatherOutput, type Capture, type GatherOutput } from './gather-output';
import { freezeCommands, fsfreezeStatus, judgeReadiness } from './readiness';

/** `virsh domstate --reason` → the state ("running (booted)" → running). */
export function parseDomstate(out: string): DomainState {
  const word = out.trim().replace(/\s*\(.*\)\s*$/, '');
  return (DOMAIN_STATES as readonly string[]).includes(word) ? (word as DomainState) : 'no state';
}

/** Filesystems a freeze will cover, from `guest-get-fsinfo`, with what may surprise the admin. */
export function parseFsinfo(out: string): GuestFilesystem[] {
  let parsed: {
    return?: { name: string; mountpoint: string; type: string; disk?: { dev?: string }[] }[];
  };
  try {
    parsed = JSON.parse(out) as typeof parsed;
  } catch {
    return [];
  }
  return (parsed.return ?? []).map((fs) => {
    const devices = (fs.disk ?? []).map((d) => d.dev ?? '?');
    const warning = /^loop/.test(fs.name)
      ? 'On a loop device: the freeze holds the file system inside the image file, not necessarily the one that file lives on.'
      : /^fuse/.test(fs.type)
        ? 'A FUSE filesystem: fsfreeze does not reach it, its writes are not held during the snapshot.'
        : devices.length === 0
          ? 'Not backed by a virtual disk the agent can see: it is frozen but not part of the snapshot.'
          : undefined;
    return {
      mountpoint: fs.mountpoint,
      name: fs.name,
      type: fs.type,
      devices,
      ...(warning ? { warning } : {}),
    };
  });
}

/** The agent's install commands for the guest's OS family, from `guest-get-osinfo`. */
export function installAdvice(osinfoOut: string | undefined): DoctorReport['install'] {
  let info: { id?: string; name?: string; 'pretty-name'?: string; 'kernel-release'?: string } = {};
  try {
    info = (JSON.parse(osinfoOut ?? '') as { return?: typeof info }).return ?? {};
  } catch {
    /* unknown OS: every family's commands */
  }
  const id = (info.id ?? '').toLowerCase();
  const os =
    info['pretty-name'] ??
    info.name ??
    (info['kernel-release'] ? `Linux ${info['kernel-release']}` : 'unknown');
  const enable = 'systemctl enable --now qemu-guest-agent';
  if (/debian|ubuntu|mint/.test(id))
    return { os, family: 'debian', commands: ['apt install qemu-guest-agent', enable] };
  if (/rhel|centos|fedora|rocky|alma|ol/.test(id))
    return { os, family: 'rhel', commands: ['dnf install qemu-guest-agent', enable] };
  if (/sles|suse/.test(id))
    return { os, family: 'suse', commands: ['zypper install qemu-guest-agent', enable] };
  if (/mswindows|windows/.test(id)) {
    return {
      os,
      family: 'windows',
      commands: ['Install the virtio-win guest tools (they include the QEMU guest agent service)'],
    };
  }
  return {
    os,
    family: 'unknown',
    commands: [
      'Debian/Ubuntu: apt install qemu-guest-agent',
      'RHEL/Fedora: dnf install qemu-guest-agent',
      'SUSE: zypper install qemu-guest-agent',
      enable,
      'Windows: the virtio-win guest tools',
    ],
  };
}

/** Reads the hook check's guest-exec-status output. */
export function parseHookCheck(
  statusOut: string | undefined,
): NonNullable<DoctorReport['freezeHook']> {
  try {
    const r = JSON.parse(statusOut ?? '') as {
      return?: { exitcode?: number; 'out-data'?: string };
    };
    const text = Buffer.from(r.return?.['out-data'] ?? '', 'base64').toString('utf8');
    const agentLine = text.split('\n').find((l) => l.startsWith('agent:')) ?? '';
    const enabled = /\s(-F|--fsfreeze-hook)(\s|=|$)/.test(agentLine);
    const script = /fsfreeze-hook\s*$/m.test(text) && !/fsfreeze-hook: No such file/.test(text);
    return {
      known: true,
      present: enabled,
      detail: enabled
        ? `The agent runs with an fsfreeze hook${script ? '' : ', but /etc/qemu/fsfreeze-hook is missing'}: applications can flush before the freeze.`
        : 'The agent runs without an fsfreeze hook (-F): freezes are filesystem-consistent; databases are not asked to flush first.',
    };
  } catch {
    return {
      known: false,
      present: false,
      detail:
        'The agent does not allow guest-exec, so whether a freeze hook is set up cannot be told.',
    };
  }
}

/** What every check reads: the captures, and what the report learned before the checks ran. */
interface DoctorContext {
  uuid: string;
  agentTimeoutS: number;
  capture: (id: string) => Capture | undefined;
  state: DomainState;
  running: boolean;
  channel: AgentChannel | undefined;
  readiness: Readiness;
  filesystems: GuestFilesystem[] | undefined;
  freezeHook: DoctorReport['freezeHook'];
  /** `virsh -c URI …`, quoted, as the admin could run it. */
  virsh: (...args: string[]) => string;
  /** `virsh … qemu-agent-command --timeout N UUID '{"execute":…}'`, quoted. */
  agentCmd: (execute: string) => string;
}

/** A check's finding; `shown` replaces the capture whose output the step shows. */
interface Finding {
  verdict: DoctorStep['verdict'];
  explanation: string;
  shown?: Capture | undefined;
}

/**
 * One rung of the doctor. `judge` gets the capture named `capture` (default: the check's id)
 * and returns its finding, `{ skip: why }` when the check could not run (shown as skipped), or
 * undefined when the check does not apply (left out of the report).
 */
interface DoctorCheck {
  id: string;
  title: string;
  capture?: string;
  command: (x: DoctorContext) => string;
  judge: (c: Capture | undefined, x: DoctorContext) => Finding | { skip: string } | undefined;
}

const SKIP_EARLIER = { skip: 'Skipped: an earlier check failed.' };
const SKIP_NO_AGENT = { skip: 'Skipped: the agent did not answer.' };

/** The doctor's checks, in the order the report shows them. Adding a check is one entry here. */
const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  {
    id: 'state',
    title: 'Domain is running',
    command: (x) => x.virsh('domstate', '--reason', x.uuid),
    judge: (_c, x) =>
      x.running
        ? { verdict: 'pass', explanation: 'A running guest can be frozen.' }
        : {
            verdict: 'fail',
            explanation: `The domain is ${x.state}: no freeze is needed or possible; a snapshot is labelled ${x.state === 'paused' ? 'paused' : 'offline'}.`,
          },
  },
  {
    id: 'channel',
    title: 'Agent channel present and connected',
    capture: 'xml',
    command: (x) => x.virsh('dumpxml', x.uuid),
    judge: (_c, { running, channel }) =>
      !running
        ? { skip: 'Only checked on a running domain.' }
        : {
            verdict: channel?.present && channel.state === 'connected' ? 'pass' : 'fail',
            explanation: !channel?.present
              ? 'The domain XML has no org.qemu.guest_agent.0 channel: libvirt cannot reach an agent.'
              : channel.state !== 'connected'
                ? `The channel exists but its state is ${channel.state ?? 'unknown'}: the agent is not running in the guest (or the guest has not booted that far).`
                : 'The guest opened the channel: an agent process is there.',
          },
  },
  {
    id: 'ping',
    title: 'Agent answers guest-ping',
    command: (x) => x.agentCmd('guest-ping'),
    judge: (ping, x) =>
      !x.running || !ping
        ? SKIP_EARLIER
        : {
            verdict: ping.rc === 0 ? 'pass' : 'fail',
            explanation:
              ping.rc === 0
                ? 'The agent answers.'
                : /not configured/.test(ping.err)
                  ? 'libvirt has no agent channel for this domain.'
                  : /not connected/.test(ping.err)
                    ? 'Nothing listens on the channel in the guest.'
                    : /not available|timed out|timeout/i.test(ping.err)
                      ? `The agent did not answer within ${x.agentTimeoutS} s: it is hung or the guest is overloaded.`
                      : 'The agent did not answer.',
          },
  },
  {
    id: 'info',
    title: 'Agent can freeze and thaw',
    command: (x) => x.agentCmd('guest-info'),
    judge: (info, x) => {
      if (!info) return SKIP_NO_AGENT;
      const cmds = info.rc === 0 ? freezeCommands(info.out) : { freeze: false, thaw: false };
      const ok = cmds.freeze && cmds.thaw;
      // A frozen agent reports freeze as disabled until thawed: that is not a configuration fault.
      const frozenNow = x.readiness.level === 'frozen';
      return {
        verdict: ok ? 'pass' : frozenNow ? 'warn' : 'fail',
        explanation: ok
          ? `guest-fsfreeze-freeze and -thaw are enabled${cmds.version ? ` (agent ${cmds.version})` : ''}.`
          : frozenNow
            ? 'While the guest is frozen the agent refuses a second freeze; this says nothing of its configuration.'
            : 'The freeze commands are disabled in the agent (block-rpcs / --blacklist / allow-rpcs).',
        shown: { ...info, out: summarizeInfo(info.out) },
      };
    },
  },
  {
    id: 'fsstatus',
    title: 'Filesystems are thawed',
    command: (x) => x.agentCmd('guest-fsfreeze-status'),
    judge: (fsstatus) => {
      if (!fsstatus) return SKIP_NO_AGENT;
      const s = fsstatus.rc === 0 ? fsfreezeStatus(fsstatus.out) : 'unknown';
      return {
        verdict: s === 'thawed' ? 'pass' : 'fail',
        explanation:
          s === 'thawed'
            ? 'Nothing is frozen now.'
            : s === 'frozen'
              ? 'The guest is FROZEN now: its writes are held. Thaw it unless a snapshot is in progress.'
              : 'The agent did not say.',
      };
    },
  },
  {
    id: 'fsinfo',
    title: 'Filesystems a freeze will cover',
    command: (x) => x.agentCmd('guest-get-fsinfo'),
    judge: (fsinfo, { filesystems = [] }) => {
      if (!fsinfo) return undefined;
      if (fsinfo.rc !== 0)
        return { verdict: 'warn', explanation: 'The agent would not list its filesystems.' };
      if (filesystems.length === 0) {
        return {
          verdict: 'warn',
          explanation:
            'The agent reports no freezable filesystem: a freeze would freeze 0 filesystems, which is not a quiesce.',
        };
      }
      return {
        verdict: filesystems.some((f) => f.warning) ? 'warn' : 'pass',
        explanation: `${filesystems.length} filesystem(s): ${filesystems.map((f) => `${f.mountpoint} (${f.type})`).join(', ')}.`,
      };
    },
  },
  {
    id: 'hook',
    title: 'fsfreeze hook for applications',
    command: () => 'guest-exec: look for qemu-ga -F and /etc/qemu/fsfreeze-hook',
    judge: (hook, { freezeHook, capture }) =>
      freezeHook && {
        verdict: freezeHook.known ? (freezeHook.present ? 'pass' : 'warn') : 'skip',
        explanation: freezeHook.detail,
        shown: hook ?? capture('hook-exec'),
      },
  },
];

/** One check's step: its finding with the capture's output and time, or why it was skipped. */
function runCheck(check: DoctorCheck, x: DoctorContext): DoctorStep | undefined {
  const c = x.capture(check.capture ?? check.id);
  const found = check.judge(c, x);
  if (!found) return undefined;
  const base = { id: check.id, title: check.title };
  if ('skip' in found) {
    return {
      ...base,
      verdict: 'skip',
      command: check.command(x),
      output: '',
      ms: null,
      explanation: found.skip,
    };
  }
  const shown = 'shown' in found ? found.shown : c;
  return {
    ...base,
    verdict: found.verdict,
    command: check.command(x),
    output: shown ? captureText(shown) : '(not run)',
    ms: shown?.ms ?? null,
    explanation: found.explanation,
  };
}

/** Judges the doctor's captures, rung by rung. Pure. */
export function buildDoctorReport(
  g: GatherOutput,
  uri: string,
  uuid: string,
  agentTimeoutS: number,
): DoctorReport {
  const virsh = (...args: string[]) => shellCommand(['virsh', '-c', uri, ...args]);
  const agentCmd = (execute: string) =>
    virsh(
      'qemu-agent-command',
      '--timeout',
      String(agentTimeoutS),
      uuid,
      JSON.stringify({ execute }),
    );
  const c = (id: string) => g.captures.get(id);
  const stateCap = c('state');
  if (!stateCap || stateCap.rc !== 0)
    throw explainVirshFailure(stateCap?.err ?? '', uri, stateCap?.rc ?? null);

  const state = parseDomstate(stateCap.out);
  const name = c('name')?.out.trim() || uuid;
  const xml = c('xml');
  const parsedXml = xml && xml.rc === 0 ? readDomainXml(xml.out) : undefined;
  const running = state === 'running';
  const channel = running ? parsedXml?.channel : undefined;
  const readiness = judgeReadiness({
    domain: { uuid, name, state },
    channel,
    ...(c('ping') ? { ping: c('ping')! } : {}),
    ...(c('info') ? { info: c('info')! } : {}),
    ...(c('fsstatus') ? { fsstatus: c('fsstatus')! } : {}),
    commandFor: (s) =>
      s === 'states'
        ? virsh('domstate', '--reason', uuid)
        : s === 'xml'
          ? virsh('dumpxml', uuid)
          : agentCmd(
              s === 'ping' ? 'guest-ping' : s === 'info' ? 'guest-info' : 'guest-fsfreeze-status',
            ),
  });
  const fsinfo = c('fsinfo');
  const filesystems = fsinfo && fsinfo.rc === 0 ? parseFsinfo(fsinfo.out) : undefined;
  const freezeHook = c('ping')?.rc === 0 ? parseHookCheck(c('hook')?.out) : undefined;

  const context: DoctorContext = {
    uuid,
    agentTimeoutS,
    capture: c,
    state,
    running,
    channel,
    readiness,
    filesystems,
    freezeHook,
    virsh,
    agentCmd,
  };
  const steps = DOCTOR_CHECKS.flatMap((check) => runCheck(check, context) ?? []);

  const needsInstall =
    readiness.level === 'agent-not-connected' ||
    readiness.level === 'no-channel' ||
    readiness.level === 'agent-not-responding';
  return {
    uuid,
    name,
    readiness,
    steps,
    ...(running && channel && !channel.present ? { channelXml: AGENT_CHANNEL_XML } : {}),
    ...(needsInstall || c('osinfo')?.rc === 0 ? { install: installAdvice(c('osinfo')?.out) } : {}),
    ...(filesystems ? { filesystems } : {}),
    ...(freezeHook ? { freezeHook } : {}),
    ranAt: new Date().toISOString(),
  };
}

/** guest-info lists ~40 commands; the doctor shows the ones that matter to a freeze. */
function summarizeInfo(out: string): string {
  try {
    const r = JSON.parse(out) as {
      return?: { version?: string; supported_commands?: { name: string; enabled: boolean }[] };
    };
    const fs = (r.return?.supported_commands ?? []).filter((c) =>
      c.name.startsWith('guest-fsfreeze'),
    );
    return [
      `version ${r.return?.version ?? '?'}`,
      ...fs.map((c) => `${c.name}: ${c.enabled ? 'enabled' : 'DISABLED'}`),
    ].join('\n');
  } catch {
    return out;
  }
}

export async function runDoctor(
  conn: SshConnection,
  uri: string,
  uuid: string,
  agentTimeoutS = 3,
): Promise<DoctorReport> {
  const r = await conn.exec(shellCommand(['sh', '-s', '--', uri, uuid, String(agentTimeoutS)]), {
    stdin: gatherScript(doctorScript),
    timeoutMs: 30_000 + agentTimeoutS * 8000,
  });
  if (r.code !== 0) {
    throw new AppError('host-command-failed', 'The agent doctor could not run on the host.', {
      cause: r.stderr.trim() || `exit status ${r.code}`,
      remedy: 'Check that the SSH user has a POSIX shell and a writable temporary folder.',
    });
  }
  const g = parseGatherOutput(r.stdout);
  if (g.noVirsh) throw explainVirshFailure('virsh: not found', uri, 127);
  return buildDoctorReport(g, uri, uuid, agentTimeoutS);
}
