import type { Domain } from '../../../shared/domains';
import type { Evidence, Readiness } from '../../../shared/readiness';
import { captureText, type Capture } from './gather-output';
import type { AgentChannel } from './domain-xml';
import { AGENT_CHANNEL } from './domain-xml';

/** The evidence a domain's rungs rest on, as gathered on the host. */
export interface DomainFacts {
  domain: Domain;
  /** undefined when the domain is not running (no live XML was read) */
  channel: AgentChannel | undefined;
  ping?: Capture;
  info?: Capture;
  fsstatus?: Capture;
  /** How each capture's command reads, for the evidence shown to the admin. */
  commandFor: (step: 'ping' | 'info' | 'fsstatus' | 'xml' | 'states') => string;
}

function evidence(check: string, command: string, c: Capture | undefined, ok?: boolean): Evidence {
  if (!c) return { check, command, ok: false, ms: null, output: '(not run)' };
  return { check, command, ok: ok ?? c.rc === 0, ms: c.ms, output: captureText(c) };
}

/** The agent's own list of commands, from `guest-info`. */
export function freezeCommands(infoOut: string): {
  freeze: boolean;
  thaw: boolean;
  version?: string;
} {
  try {
    const r = JSON.parse(infoOut) as {
      return?: { version?: string; supported_commands?: { name: string; enabled: boolean }[] };
    };
    const cmds = r.return?.supported_commands ?? [];
    const enabled = (name: string) => cmds.some((c) => c.name === name && c.enabled);
    return {
      freeze: enabled('guest-fsfreeze-freeze'),
      thaw: enabled('guest-fsfreeze-thaw'),
      ...(r.return?.version ? { version: r.return.version } : {}),
    };
  } catch {
    return { freeze: false, thaw: false };
  }
}

export function fsfreezeStatus(out: string): 'frozen' | 'thawed' | 'unknown' {
  try {
    const r = JSON.parse(out) as { return?: unknown };
    return r.return === 'frozen' ? 'frozen' : r.return === 'thawed' ? 'thawed' : 'unknown';
  } catch {
    return 'unknown';
  }
}

const INSTALL_AGENT =
  'Install and start the QEMU guest agent in the guest: Debian/Ubuntu `apt install qemu-guest-agent`, RHEL/Fedora `dnf install qemu-guest-agent`, then `systemctl enable --now qemu-guest-agent`; Windows: the virtio-win guest tools.';

/**
 * Walks the ladder for one domain, cheapest rung first, and stops at the first that fails.
 * Pure: everything it needs was gathered in the one exec.
 */
export function judgeReadiness(f: DomainFacts): Readiness {
  const ev: Evidence[] = [];
  const state = f.domain.state;
  ev.push({
    check: 'Domain state',
    command: f.commandFor('states'),
    ok: state === 'running',
    ms: null,
    output: state,
  });
  if (state === 'paused') {
    return {
      level: 'paused',
      label: 'Paused',
      detail:
        'The domain is paused: its disks are still, so a snapshot needs no freeze and is labelled paused.',
      evidence: ev,
    };
  }
  if (state !== 'running') {
    return {
      level: 'not-running',
      label: 'Not running',
      detail: `The domain is ${state}: a snapshot of it is an offline snapshot, with no freeze.`,
      evidence: ev,
    };
  }

  const channel = f.channel ?? { present: false };
  ev.push({
    check: `Agent channel ${AGENT_CHANNEL}`,
    command: f.commandFor('xml'),
    ok: channel.present && channel.state === 'connected',
    ms: null,
    output: channel.present
      ? `present, state=${channel.state ?? '(none)'}`
      : 'absent from the domain XML',
  });
  if (!channel.present) {
    return {
      level: 'no-channel',
      label: 'No agent channel',
      detail: `The domain has no ${AGENT_CHANNEL} channel, so no guest agent can be reached.`,
      remedy:
        'Add the agent channel to the domain definition (the agent doctor can do it), restart the guest, and install the agent in it.',
      evidence: ev,
    };
  }
  if (channel.state !== 'connected') {
    return {
      level: 'agent-not-connected',
      label: 'Agent not started',
      detail:
        'The channel exists but the guest has not opened it: the agent is not running in the guest.',
      remedy: INSTALL_AGENT,
      evidence: ev,
    };
  }

  ev.push(evidence('Agent answers guest-ping', f.commandFor('ping'), f.ping));
  if (!f.ping || f.ping.rc !== 0) {
    const said = (f.ping?.err ?? '').trim().replace(/^error: /gm, '');
    return {
      level: 'agent-not-responding',
      label: 'Agent not responding',
      detail: said
        ? `The agent did not answer: ${said.split('\n').pop()}`
        : 'The agent did not answer.',
      remedy:
        'The agent is started but silent: restart it in the guest (`systemctl restart qemu-guest-agent`); if it hangs again, look at the guest’s load and the agent’s log.',
      evidence: ev,
    };
  }

  // Frozen is judged before the freeze commands: while frozen, qemu-ga reports every command
  // but thaw/status (guest-fsfreeze-freeze included) as disabled.
  const status = f.fsstatus && f.fsstatus.rc === 0 ? fsfreezeStatus(f.fsstatus.out) : 'unknown';
  const statusEvidence = () =>
    evidence(
      'Filesystems thawed (guest-fsfreeze-status)',
      f.commandFor('fsstatus'),
      f.fsstatus,
      status === 'thawed',
    );
  if (status === 'frozen') {
    ev.push(statusEvidence());
    return {
      level: 'frozen',
      label: 'FROZEN',
      detail: 'The guest’s filesystems are frozen now: its applications cannot write.',
      remedy: 'Thaw it now, unless another tool is in the middle of a snapshot.',
      evidence: ev,
    };
  }

  const cmds =
    f.info && f.info.rc === 0 ? freezeCommands(f.info.out) : { freeze: false, thaw: false };
  ev.push(
    evidence(
      'Agent can freeze (guest-info)',
      f.commandFor('info'),
      f.info,
      cmds.freeze && cmds.thaw,
    ),
  );
  if (!cmds.freeze || !cmds.thaw) {
    return {
      level: 'freeze-unsupported',
      label: 'Freeze disabled',
      detail:
        f.info?.rc === 0
          ? 'The agent answers, but its guest-fsfreeze-freeze/thaw commands are disabled.'
          : 'The agent answers ping but not guest-info, so whether it can freeze is unknown.',
      remedy:
        'Enable the fsfreeze commands in the agent’s configuration (remove them from `block-rpcs`/`--blacklist`, or add them to `allow-rpcs`), then restart the agent.',
      evidence: ev,
    };
  }

  ev.push(statusEvidence());
  if (status === 'unknown') {
    return {
      level: 'agent-not-responding',
      label: 'Agent not responding',
      detail: 'The agent answered ping but not guest-fsfreeze-status.',
      remedy: 'Restart the agent in the guest (`systemctl restart qemu-guest-agent`).',
      evidence: ev,
    };
  }
  return {
    level: 'ready',
    label: 'Ready',
    detail: `The agent${cmds.version ? ` ${cmds.version}` : ''} answers and can freeze: a consistent snapshot can be taken now.`,
    evidence: ev,
  };
}
