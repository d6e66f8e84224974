import { z } from 'zod';
import { ALLOW_LEGACY_ALGORITHMS_LABEL } from './vocabulary';

/**
 * Host names as OpenSSH would accept them: DNS names, IPv4, or IPv6 literals. Validated because
 * the address ends up in known_hosts lines and error messages.
 */
const hostAddress = z
  .string()
  .trim()
  .min(1, 'Address is required')
  .max(253)
  .regex(/^[A-Za-z0-9.:\-[\]%]+$/, 'Address may contain only letters, digits, ".", "-" and ":"');

/** A POSIX-ish login name; refusing anything else keeps it out of shells and known_hosts. */
const userName = z
  .string()
  .trim()
  .min(1, 'User is required')
  .max(64)
  .regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'User may contain letters, digits, "_", "." and "-"');

/** libvirt connection URIs this product talks to: the system QEMU driver, or the test driver. */
export const LibvirtUriSchema = z
  .string()
  .trim()
  .regex(
    /^(qemu:\/\/\/(system|session)|test:\/\/\/[A-Za-z0-9._/-]+)$/,
    'Use qemu:///system, qemu:///session or test:///<path>',
  );

/** How the SSH login proves itself: the admin's ssh-agent, or a private key file. */
export const HostAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent') }),
  z.object({
    kind: z.literal('key'),
    keyPath: z.string().trim().min(1, 'Key file path is required').max(4096),
  }),
]);
export type HostAuth = z.infer<typeof HostAuthSchema>;

/** A host as the "Add host" form fills it in (defaults not applied yet). */
export const HostDraftSchema = z.object({
  /** What the admin calls the host in the app. */
  name: z.string().trim().min(1, 'Name is required').max(100),
  address: hostAddress,
  /** The SSH port. */
  port: z.number().int().min(1).max(65535).default(22),
  /** The SSH login on the host. */
  user: userName,
  auth: HostAuthSchema,
  libvirtUri: LibvirtUriSchema.default('qemu:///system'),
  /**
   * Quiesce's folder on the host (operation journals, locks, history), relative to the SSH
   * user's home unless absolute. Shared by every workstation that uses the same account.
   */
  hostDir: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._/-]{1,200}$/, 'Use letters, digits, ".", "_", "-" and "/"')
    .refine((s) => !s.split('/').includes('..'), 'No ".." in the host folder')
    .default('.quiesce'),
  /**
   * Also offer the legacy SSH algorithms (SHA-1 host keys, MACs and key exchanges, CBC ciphers)
   * to this host, after the modern ones. Absent means off (profiles saved before it existed);
   * shown with a warning where on.
   */
  allowLegacyAlgorithms: z.boolean().optional(),
  /**
   * The ~/.ssh/config Host alias this profile was filled from. Kept so the connect follows the
   * alias's ProxyJump hops and IdentitiesOnly as ssh would; absent for hosts typed in by hand.
   */
  sshConfigAlias: z
    .string()
    .trim()
    .regex(/^[^\s*?!,]{1,253}$/, 'An ssh config alias is one Host name, without wildcards')
    .optional(),
});
export type HostDraft = z.input<typeof HostDraftSchema>;

export { ALLOW_LEGACY_ALGORITHMS_LABEL };

/** A saved host's id, given when it is saved (a random UUID). */
export const HostIdSchema = z.string().uuid();

/**
 * A saved host profile. Holds no secret: passphrases are asked for and kept in memory, or sealed
 * by the OS keychain when the admin asks (electron/services/secrets/passphrase-vault.ts).
 */
export const HostProfileSchema = HostDraftSchema.extend({ id: HostIdSchema });
export type HostProfile = z.infer<typeof HostProfileSchema>;

export const HostKeySchema = z.object({
  /** e.g. ssh-ed25519 */
  type: z.string(),
  /** OpenSSH form: SHA256:<base64 without padding> */
  fingerprint: z.string(),
});
export type HostKey = z.infer<typeof HostKeySchema>;

/** `reconnecting`: the link dropped and Quiesce is trying again, with backoff, on its own. */
export const ConnectionStateSchema = z.enum([
  'disconnected',
  'connecting',
  'connected',
  'reconnecting',
  'failed',
]);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

/**
 * The outcome of a connect. Host-key decisions are outcomes, not errors: the UI must show them
 * and let the admin decide (unknown) or explain the refusal (changed, revoked).
 */
export const ConnectResultSchema = z.discriminatedUnion('status', [
  /** Connected, with the host key that was checked. */
  z.object({
    status: z.literal('connected'),
    hostKey: HostKeySchema,
    /** Asked to remember the passphrase, and could not: why (the connect itself succeeded). */
    passphraseNotRemembered: z.string().optional(),
    /** Connected with a passphrase the OS keychain remembered. */
    usedRememberedPassphrase: z.boolean().optional(),
  }),
  /** Not in known_hosts: the admin may accept the key after comparing its fingerprint. */
  z.object({
    status: z.literal('host-key-unknown'),
    hostKey: HostKeySchema,
    knownHostsPath: z.string(),
    /** Set when the host is known, but only with keys of other types. */
    knownTypes: z.array(z.string()),
  }),
  /** known_hosts holds other keys for this host: refused (`expected`: those keys, by line). */
  z.object({
    status: z.literal('host-key-changed'),
    hostKey: HostKeySchema,
    expected: z.array(HostKeySchema.extend({ line: z.number().int() })),
    knownHostsPath: z.string(),
  }),
  /** known_hosts marks this key @revoked (at `line`): refused. */
  z.object({
    status: z.literal('host-key-revoked'),
    hostKey: HostKeySchema,
    knownHostsPath: z.string(),
    line: z.number().int(),
  }),
  z.object({ status: z.literal('passphrase-required'), keyPath: z.string(), wrong: z.boolean() }),
]);
export type ConnectResult = z.infer<typeof ConnectResultSchema>;

export const HostKeyTrustSchema = z.object({
  /** The fingerprint the admin saw and accepted; the connect fails if the host now offers another. */
  fingerprint: z.string(),
  /** Also append the key to known_hosts. */
  save: z.boolean(),
});
export type HostKeyTrust = z.infer<typeof HostKeyTrustSchema>;

/**
 * A concrete Host alias of the admin's ~/.ssh/config, resolved as ssh would (what "Add host" offers
 * to fill the form with). `identityFile` is the first IdentityFile, expanded; `jumps` the ProxyJump
 * hops as written.
 */
export const SshConfigHostSchema = z.object({
  alias: z.string(),
  hostName: z.string(),
  port: z.number().int(),
  user: z.string(),
  identityFile: z.string().optional(),
  identitiesOnly: z.boolean(),
  jumps: z.array(z.string()),
});
export type SshConfigHost = z.infer<typeof SshConfigHostSchema>;

export const SshConfigHostsSchema = z.object({
  /** The file read (~/.ssh/config); `hosts` is empty where it does not exist. */
  path: z.string(),
  hosts: z.array(SshConfigHostSchema),
  /** Why the file could not be read or resolved, where it could not. */
  problem: z.string().optional(),
});

/** Whether key passphrases can be remembered (sealed by the OS keychain) here, and whose are. */
export const VaultStatusSchema = z.object({
  /** The OS keychain can seal passphrases here. */
  available: z.boolean(),
  /** Why it cannot, where it cannot. */
  reason: z.string().optional(),
  /** The key files whose passphrases are remembered. */
  keyPaths: z.array(z.string()),
});
export type VaultStatusShape = z.infer<typeof VaultStatusSchema>;
