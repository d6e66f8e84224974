import { DomainUuidSchema, type Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import { shellCommand } from '../../shared/shell-command';
import { CliError } from './cli-error';

/**
 * Names on the command line → what the services address: a host profile by its name or id, a
 * domain by its name or UUID (the services take UUIDs only; docs/ARCHITECTURE.md, "Quoted
 * arguments"). Pure: the lists come from the services.
 */

/** A host profile by id, else by exact name, else by a name differing only in case (if unique). */
export function resolveHost(hosts: readonly HostProfile[], ref: string): HostProfile {
  const byId = hosts.find((h) => h.id === ref);
  if (byId) return byId;
  const exact = hosts.filter((h) => h.name === ref);
  if (exact.length === 1) return exact[0]!;
  if (exact.length > 1) throw ambiguous('host profiles', ref, exact);
  const folded = hosts.filter((h) => h.name.toLowerCase() === ref.toLowerCase());
  if (folded.length === 1) return folded[0]!;
  if (folded.length > 1) throw ambiguous('host profiles', ref, folded);
  throw CliError.notFound(
    `No saved host is called “${ref}”.`,
    hosts.length === 0
      ? 'Add the host in the Quiesce app first (the command line uses the app’s host profiles), or point --data-dir at the app’s data folder.'
      : `Saved hosts: ${hosts.map((h) => h.name).join(', ')}. \`quiesce hosts\` lists them with their ids.`,
  );
}

function ambiguous(what: string, ref: string, found: readonly { name: string; id: string }[]) {
  return CliError.usage(
    `${found.length} ${what} are called “${ref}”.`,
    `Name it by id instead: ${found.map((f) => f.id).join(', ')}.`,
  );
}

export function isDomainUuid(ref: string): boolean {
  return DomainUuidSchema.safeParse(ref).success;
}

/**
 * A domain by UUID (any case) or by exact name, as libvirt names are case-sensitive; no guess
 * by case here, since two domains may differ only in case.
 */
export function resolveDomain(domains: readonly Domain[], ref: string, hostName: string): Domain {
  if (isDomainUuid(ref)) {
    const uuid = ref.toLowerCase();
    const found = domains.find((d) => d.uuid.toLowerCase() === uuid);
    if (found) return found;
  } else {
    const found = domains.find((d) => d.name === ref);
    if (found) return found;
  }
  const near = domains.filter((d) => d.name.toLowerCase() === ref.toLowerCase());
  throw CliError.notFound(
    `${hostName} has no domain “${ref}”.`,
    near.length > 0
      ? `Did you mean ${near.map((d) => `“${d.name}”`).join(' or ')}? Domain names are case-sensitive.`
      : `\`${shellCommand(['quiesce', 'ls', hostName])}\` lists its domains.`,
  );
}
