import type { InventoryDomain, Prerequisite } from '../../../shared/readiness';
import inventoryScript from '../host-scripts/inventory.sh?raw';
import { gatherScript } from '../host-scripts/gather-script';
import { shellCommand } from '../shell/quote';
import type { SshConnection } from '../ssh/ssh-connection';
import { AppError } from '../app-error';
import { parseDomstatsStates, parseUuidNameList } from '../virsh/list-parsers';
import { explainVirshFailure } from '../virsh/virsh-errors';
import { readDomainXml, splitDomainXml, type AgentChannel } from './domain-xml';
import { parseGatherOutput, type GatherOutput } from './gather-output';
import { judgePrerequisites } from './prerequisites';
import { judgeReadiness } from './readiness';

export interface InventoryOptions {
  /** Seconds an agent may take to answer before it counts as not responding. */
  agentTimeoutS?: number;
  /** How many agents are probed at once on the host. */
  parallel?: number;
}

export interface Inventory {
  domains: InventoryDomain[];
  prerequisites: Prerequisite[];
  fetchedAt: string;
  /** SSH round trips this refresh cost: one, whatever the number of domains. */
  roundTrips: number;
  ms: number;
}

/** The command that runs the inventory script on the host; the script itself goes on stdin. */
export function inventoryCommand(uri: string, opts: InventoryOptions = {}): string {
  return shellCommand([
    'sh',
    '-s',
    '--',
    uri,
    String(opts.agentTimeoutS ?? 3),
    String(opts.parallel ?? 16),
  ]);
}

/** Turns the gathered evidence into domains with their readiness. Pure. */
export function buildInventory(
  g: GatherOutput,
  uri: string,
  agentTimeoutS = 3,
): Omit<Inventory, 'fetchedAt' | 'roundTrips' | 'ms'> {
  // Without virsh or access to the URI there is no inventory to show: say why, as an error.
  if (g.noVirsh) throw explainVirshFailure('virsh: not found', uri, 127);
  const version = g.captures.get('version');
  if (version && version.rc !== 0) throw explainVirshFailure(version.err, uri, version.rc);
  const list = g.captures.get('list');
  if (!list) throw explainVirshFailure('', uri, null);
  if (list.rc !== 0) throw explainVirshFailure(list.err, uri, list.rc);
  const prerequisites = judgePrerequisites(g, uri);

  const states = parseDomstatsStates(g.captures.get('states')?.out ?? '');
  const channels = new Map<string, AgentChannel>();
  for (const xml of splitDomainXml(g.captures.get('xml')?.out ?? '')) {
    const d = readDomainXml(xml);
    if (d.uuid) channels.set(d.uuid, d.channel);
  }
  const virsh = (...args: string[]) => shellCommand(['virsh', '-c', uri, ...args]);
  const domains = parseUuidNameList(list.out).map(({ uuid, name }) => {
    const domain = { uuid, name, state: states.get(name) ?? ('no state' as const) };
    const agent = (cmd: string) =>
      virsh(
        'qemu-agent-command',
        '--timeout',
        String(agentTimeoutS),
        uuid,
        JSON.stringify({ execute: cmd }),
      );
    const readiness = judgeReadiness({
      domain,
      channel: channels.get(uuid),
      ...(g.captures.has(`ping:${uuid}`) ? { ping: g.captures.get(`ping:${uuid}`)! } : {}),
      ...(g.captures.has(`info:${uuid}`) ? { info: g.captures.get(`info:${uuid}`)! } : {}),
      ...(g.captures.has(`fsstatus:${uuid}`)
        ? { fsstatus: g.captures.get(`fsstatus:${uuid}`)! }
        : {}),
      commandFor: (step) =>
        step === 'states'
          ? virsh('domstats', '--state', uuid)
          : step === 'xml'
            ? virsh('dumpxml', uuid)
            : agent(
                step === 'ping'
                  ? 'guest-ping'
                  : step === 'info'
                    ? 'guest-info'
                    : 'guest-fsfreeze-status',
              ),
    });
    return { ...domain, readiness };
  });
  domains.sort((a, b) => a.name.localeCompare(b.name));
  return { domains, prerequisites };
}

/** One refresh: one exec on the host, then pure judgement here. */
export async function fetchInventory(
  conn: SshConnection,
  uri: string,
  opts: InventoryOptions = {},
): Promise<Inventory> {
  const t0 = Date.now();
  const agentTimeoutS = opts.agentTimeoutS ?? 3;
  const r = await conn.exec(inventoryCommand(uri, opts), {
    stdin: gatherScript(inventoryScript),
    // Every batch of probes may take a timeout; plus libvirt's own work.
    timeoutMs: 60_000 + agentTimeoutS * 3000 * 4,
  });
  if (r.code !== 0) {
    throw new AppError('host-command-failed', 'The inventory script failed on the host.', {
      cause: r.stderr.trim() || `exit status ${r.code}`,
      remedy:
        'Check that the SSH user has a POSIX shell and a writable temporary folder ($TMPDIR or /tmp).',
    });
  }
  const built = buildInventory(parseGatherOutput(r.stdout), uri, agentTimeoutS);
  return { ...built, fetchedAt: new Date().toISOString(), roundTrips: 1, ms: Date.now() - t0 };
}
