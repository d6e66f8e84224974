/** Parsers for the `virsh` listings the inventory script gathers (host-scripts/inventory.sh). */
import { DOMAIN_STATES, type DomainState } from '../../../shared/domains';

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
