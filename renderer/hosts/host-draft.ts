import type { MethodInput } from '../../shared/contract';
import type { AppErrorShape } from '../../shared/errors';
import { HostDraftSchema, type HostProfile, type SshConfigHost } from '../../shared/hosts';

/**
 * The host form as typed: every text field a string, so half-typed values survive re-renders;
 * the legacy-algorithms switch is the one checkbox.
 */
export interface DraftFields {
  name: string;
  address: string;
  port: string;
  user: string;
  authKind: 'agent' | 'key';
  keyPath: string;
  libvirtUri: string;
  allowLegacyAlgorithms: boolean;
  /** The ~/.ssh/config alias the form was filled from ('' for none); its ProxyJump is followed. */
  sshConfigAlias: string;
}
export type FieldName = Exclude<keyof DraftFields, 'allowLegacyAlgorithms' | 'sshConfigAlias'>;
export type FieldErrors = Partial<Record<FieldName, string>>;

export const DEFAULT_PORT = '22';
export const DEFAULT_LIBVIRT_URI = 'qemu:///system';

export function emptyDraft(): DraftFields {
  return {
    name: '',
    address: '',
    port: DEFAULT_PORT,
    user: '',
    authKind: 'agent',
    keyPath: '',
    libvirtUri: DEFAULT_LIBVIRT_URI,
    allowLegacyAlgorithms: false,
    sshConfigAlias: '',
  };
}

/**
 * The form filled from a ~/.ssh/config alias: what ssh would use for it, with its first
 * IdentityFile as the key (ssh-agent where it names none); the rest stays as the admin had it.
 */
export function draftFromSshConfig(picked: SshConfigHost, current: DraftFields): DraftFields {
  return {
    ...current,
    name: current.name.trim() === '' ? picked.alias : current.name,
    address: picked.hostName,
    port: String(picked.port),
    user: picked.user,
    authKind: picked.identityFile ? 'key' : 'agent',
    keyPath: picked.identityFile ?? '',
    sshConfigAlias: picked.alias,
  };
}

export function draftFromHost(host: HostProfile): DraftFields {
  return {
    name: host.name,
    address: host.address,
    port: String(host.port),
    user: host.user,
    authKind: host.auth.kind,
    keyPath: host.auth.kind === 'key' ? host.auth.keyPath : '',
    libvirtUri: host.libvirtUri,
    allowLegacyAlgorithms: host.allowLegacyAlgorithms === true,
    sshConfigAlias: host.sshConfigAlias ?? '',
  };
}

/** Maps a schema path (as zod reports it, or as main writes it into an error's cause) to a field. */
function fieldOfPath(path: readonly PropertyKey[]): FieldName | undefined {
  const [head, sub] = path;
  if (head === 'auth') return sub === 'keyPath' ? 'keyPath' : 'authKind';
  const known: FieldName[] = ['name', 'address', 'port', 'user', 'libvirtUri'];
  return known.find((f) => f === head);
}

/**
 * Checks the draft with the contract's own schema, so the admin sees every problem at once and
 * next to its field, before a round trip. Main validates again; see fieldErrorsFromRemote.
 */
export function validateDraft(
  draft: DraftFields,
  id?: string,
): { input: MethodInput<'hosts.save'> } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const portText = draft.port.trim();
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) errors.port = 'Use a port from 1 to 65535';
  const input: MethodInput<'hosts.save'> = {
    ...(id ? { id } : {}),
    name: draft.name,
    address: draft.address,
    port,
    user: draft.user,
    auth: draft.authKind === 'key' ? { kind: 'key', keyPath: draft.keyPath } : { kind: 'agent' },
    libvirtUri: draft.libvirtUri,
    // Absent is off: saving replaces the profile, so leaving it out turns it off.
    ...(draft.allowLegacyAlgorithms ? { allowLegacyAlgorithms: true } : {}),
    ...(draft.sshConfigAlias ? { sshConfigAlias: draft.sshConfigAlias } : {}),
  };
  const parsed = HostDraftSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOfPath(issue.path);
      if (field && !errors[field]) errors[field] = issue.message;
    }
  }
  return Object.keys(errors).length > 0 ? { errors } : { input };
}

/**
 * Main's invalid-input errors carry the failing path in their cause ("address: …"); put that
 * message next to its field. Returns nothing when the error is not about one field.
 */
export function fieldErrorsFromRemote(error: AppErrorShape): FieldErrors | undefined {
  if (error.code !== 'invalid-input' || !error.cause) return undefined;
  const match = /^([\w.]+): (.*)$/s.exec(error.cause);
  if (!match) return undefined;
  const field = fieldOfPath(match[1]!.split('.'));
  return field ? { [field]: match[2]! } : undefined;
}
