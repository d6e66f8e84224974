import { DOMAIN_STATES, type Domain, type DomainState } from '../../../shared/domains';
import { shellCommand } from '../shell/quote';

/** Separates the two outputs of the one exec that lists domains. */
const SEPARATOR = '@@quiesce-domstats@@';

/**
 * One SSH exec, two virsh calls: `list --all --uuid --name` (UUID → name) and `domstats --state`
 * (name → state number) — one round trip whatever the number of domains.
 */
export function listDomainsCommand(uri: string): string {
  return [
    shellCommand(['virsh', '-q', '-c', uri, 'list', '--all', '--uuid', '--name']),
    shellCommand(['echo', SEPARATOR]),
    shellCommand(['virsh', '-q', '-c', uri, 'domstats', '--state']),
  ].join(' && ');
}

/** Parses `virsh list --all --uuid --name` lines: `<uuid> <name>` (names may hold spaces). */
export function parseUuidNameList(text: string): { uuid: string; name: string }[] {
  const rows: { uuid: string; name: string }[] = [];
  for (const line of text.split('\n')) {
    const m =
      /^\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+(.+?)\s*$/i.exec(line);
    if (m) rows.push({ uuid: m[1]!.toLowerCase(), name: m[2]! });
  }
  return rows;
}

/** Parses `virsh domstats --state`: `Domain: 'name'` blocks with `state.state=N`. */
export function parseDomstatsStates(text: string): Map<string, DomainState> {
  const states = new Map<string, DomainState>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const d = /^Domain: '(.*)'\s*$/.exec(line);
    if (d) {
      current = d[1];
      continue;
    }
    const s = /^\s+state\.state=(\d+)\s*$/.exec(line);
    if (s && current !== undefined) {
      states.set(current, DOMAIN_STATES[Number(s[1])] ?? 'no state');
    }
  }
  return states;
}

export function parseListDomains(stdout: string): Domain[] {
  const at = stdout.indexOf(SEPARATOR);
  if (at < 0) throw new Error('virsh output lacks the separator line');
  const names = parseUuidNameList(stdout.slice(0, at));
  const states = parseDomstatsStates(stdout.slice(at + SEPARATOR.length));
  return names
    .map(({ uuid, name }) => ({ uuid, name, state: states.get(name) ?? 'no state' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
