import { EXIT } from './exit-codes';
import { COMMANDS, specsStartingWith, synopsis } from './parse-args';

/**
 * `quiesce help` and `quiesce help COMMAND`: built from the command table, so the help never
 * lists an option the parser would refuse. Pure.
 */

const GLOBAL_HELP = `Options every command takes:
  --json               print one JSON object on stdout (exit, outcome, result or error)
  -q, --quiet          no progress on stderr
  --data-dir DIR       the app's folder for settings and data both, as $QUIESCE_DATA_DIR
                       (default: ~/.config/Quiesce, whose settings may move the data)
  --known-hosts FILE   host keys (default: $QUIESCE_KNOWN_HOSTS, else the app's setting,
                       else ~/.ssh/known_hosts)
  -h, --help           this text

HOST is a saved host profile's name or id (quiesce hosts); DOMAIN a domain's name or UUID.`;

const EXIT_HELP: Record<keyof typeof EXIT, string> = {
  ok: 'done; a snapshot is consistent (quiesced, or offline); doctor: ready',
  failed: 'an operation or host command failed, or its outcome was lost',
  usage: 'the command line or a value is wrong',
  crashConsistent: 'the snapshot was taken, crash-consistent only',
  refused:
    'nothing done: the agent cannot freeze (policy require), the domain is busy; doctor: not ready',
  hostKeyUnknown: 'the host key is not in known_hosts (its fingerprint is shown)',
  hostKeyChanged: 'the host key differs from known_hosts, or is revoked: refused',
  connectFailed: 'no connection (network, login, key file or passphrase)',
  notFound: 'no such host, domain, snapshot or branch',
};

export function exitCodesText(): string {
  return (Object.keys(EXIT) as (keyof typeof EXIT)[])
    .map((k) => `  ${String(EXIT[k]).padStart(2)}  ${EXIT_HELP[k]}`)
    .join('\n');
}

export function usageText(topic?: string): string {
  if (topic) {
    const words = topic.split(' ');
    const specs = COMMANDS.filter((s) => words.every((w, i) => s.words[i] === w));
    const family = specs.length > 0 ? specs : specsStartingWith(words[0] ?? '');
    if (family.length > 0) {
      return `${family.map((s) => `${synopsis(s)}\n  ${s.summary}`).join('\n\n')}\n\n${GLOBAL_HELP}\n`;
    }
  }
  const lines = COMMANDS.map((s) => `  ${synopsis(s)}\n      ${s.summary}`);
  return `quiesce — consistent snapshots of libvirt guests over SSH, from the command line.
It uses the Quiesce app's host profiles, settings and known_hosts.

Commands:
${lines.join('\n')}

${GLOBAL_HELP}

Exit codes:
${exitCodesText()}
`;
}
