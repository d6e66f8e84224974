import type { DomainState } from '../../../shared/domains';
import { DOMAIN_STATES } from '../../../shared/domains';
import type { DoctorReport, DoctorStep, GuestFilesystem } from '../../../shared/readiness';
import doctorScript from '../host-scripts/doctor.sh?raw';
import { gatherScript } from '../host-scripts/gather-script';
import { shellCommand } from '../shell/quote';
import type { SshConnection } from '../ssh/ssh-connection';
import { AppError } from '../app-error';
import { explainVirshFailure } from '../virsh/virsh-errors';
import { AGENT_CHANNEL_XML, readDomainXml } from './domain-xml';
import { parseGatherOutput, type Capture, type GatherOutput } from './gather-output';
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

function step(
  id: string,
  title: string,
  command: string,
  c: Capture | undefined,
  verdict: DoctorStep['verdict'],
  explanation: string,
): DoctorStep {
  const output = c
    ? [c.out.trim(), c.err.trim()].filter(Boolean).join('\n') || `(exit status ${c.rc})`
    : '(not run)';
  return { id, title, verdict, command, output, ms: c?.ms ?? null, explanation };
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
  const channel = state === 'running' ? parsedXml?.channel : undefined;
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

  const steps: DoctorStep[] = [];
  const running = state === 'running';
  steps.push(
    step(
      'state',
      'Domain is running',
      virsh('domstate', '--reason', uuid),
      stateCap,
      running ? 'pass' : 'fail',
      running
        ? 'A running guest can be frozen.'
        : `The domain is ${state}: no freeze is needed or possible; a snapshot is labelled ${state === 'paused' ? 'paused' : 'offline'}.`,
    ),
  );
  const skip = (id: string, title: string, command: string, why: string) =>
    steps.push({ id, title, verdict: 'skip', command, output: '', ms: null, explanation: why });
  const channelOk = channel?.present && channel.state === 'connected';
  if (!running) {
    skip(
      'channel',
      'Agent channel present and connected',
      virsh('dumpxml', uuid),
      'Only checked on a running domain.',
    );
  } else {
    steps.push(
      step(
        'channel',
        'Agent channel present and connected',
        virsh('dumpxml', uuid),
        xml,
        channelOk ? 'pass' : 'fail',
        !channel?.present
          ? 'The domain XML has no org.qemu.guest_agent.0 channel: libvirt cannot reach an agent.'
          : channel.state !== 'connected'
            ? `The channel exists but its state is ${channel.state ?? 'unknown'}: the agent is not running in the guest (or the guest has not booted that far).`
            : 'The guest opened the channel: an agent process is there.',
      ),
    );
  }
  const ping = c('ping');
  if (running && ping) {
    steps.push(
      step(
        'ping',
        'Agent answers guest-ping',
        agentCmd('guest-ping'),
        ping,
        ping.rc === 0 ? 'pass' : 'fail',
        ping.rc === 0
          ? 'The agent answers.'
          : /not configured/.test(ping.err)
            ? 'libvirt has no agent channel for this domain.'
            : /not connected/.test(ping.err)
              ? 'Nothing listens on the channel in the guest.'
              : /not available|timed out|timeout/i.test(ping.err)
                ? `The agent did not answer within ${agentTimeoutS} s: it is hung or the guest is overloaded.`
                : 'The agent did not answer.',
      ),
    );
  } else
    skip(
      'ping',
      'Agent answers guest-ping',
      agentCmd('guest-ping'),
      'Skipped: an earlier check failed.',
    );

  const info = c('info');
  if (info) {
    const cmds = info.rc === 0 ? freezeCommands(info.out) : { freeze: false, thaw: false };
    const ok = cmds.freeze && cmds.thaw;
    // A frozen agent reports freeze as disabled until thawed: that is not a configuration fault.
    const frozenNow = readiness.level === 'frozen';
    steps.push(
      step(
        'info',
        'Agent can freeze and thaw',
        agentCmd('guest-info'),
        { ...info, out: summarizeInfo(info.out) },
        ok ? 'pass' : frozenNow ? 'warn' : 'fail',
        ok
          ? `guest-fsfreeze-freeze and -thaw are enabled${cmds.version ? ` (agent ${cmds.version})` : ''}.`
          : frozenNow
            ? 'While the guest is frozen the agent refuses a second freeze; this says nothing of its configuration.'
            : 'The freeze commands are disabled in the agent (block-rpcs / --blacklist / allow-rpcs).',
      ),
    );
  } else
    skip(
      'info',
      'Agent can freeze and thaw',
      agentCmd('guest-info'),
      'Skipped: the agent did not answer.',
    );

  const fsstatus = c('fsstatus');
  if (fsstatus) {
    const s = fsstatus.rc === 0 ? fsfreezeStatus(fsstatus.out) : 'unknown';
    steps.push(
      step(
        'fsstatus',
        'Filesystems are thawed',
        agentCmd('guest-fsfreeze-status'),
        fsstatus,
        s === 'thawed' ? 'pass' : 'fail',
        s === 'thawed'
          ? 'Nothing is frozen now.'
          : s === 'frozen'
            ? 'The guest is FROZEN now: its writes are held. Thaw it unless a snapshot is in progress.'
            : 'The agent did not say.',
      ),
    );
  } else
    skip(
      'fsstatus',
      'Filesystems are thawed',
      agentCmd('guest-fsfreeze-status'),
      'Skipped: the agent did not answer.',
    );

  const fsinfo = c('fsinfo');
  const filesystems = fsinfo && fsinfo.rc === 0 ? parseFsinfo(fsinfo.out) : undefined;
  if (fsinfo) {
    const warn = (filesystems ?? []).some((f) => f.warning) || (filesystems ?? []).length === 0;
    steps.push(
      step(
        'fsinfo',
        'Filesystems a freeze will cover',
        agentCmd('guest-get-fsinfo'),
        fsinfo,
        fsinfo.rc !== 0 ? 'warn' : warn ? 'warn' : 'pass',
        fsinfo.rc !== 0
          ? 'The agent would not list its filesystems.'
          : (filesystems ?? []).length === 0
            ? 'The agent reports no freezable filesystem: a freeze would freeze 0 filesystems, which is not a quiesce.'
            : `${filesystems!.length} filesystem(s): ${filesystems!.map((f) => `${f.mountpoint} (${f.type})`).join(', ')}.`,
      ),
    );
  }

  const hookCap = c('hook');
  const freezeHook = c('ping')?.rc === 0 ? parseHookCheck(hookCap?.out) : undefined;
  if (freezeHook) {
    steps.push(
      step(
        'hook',
        'fsfreeze hook for applications',
        'guest-exec: look for qemu-ga -F and /etc/qemu/fsfreeze-hook',
        hookCap ?? c('hook-exec'),
        freezeHook.known ? (freezeHook.present ? 'pass' : 'warn') : 'skip',
        freezeHook.detail,
      ),
    );
  }

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
