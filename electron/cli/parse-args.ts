import { parseArgs } from 'node:util';
import { z } from 'zod';
import { HostDraftSchema, type HostDraft } from '../../shared/hosts';
import { RevertOptionsSchema, type RevertTarget } from '../../shared/revert';
import { SnapshotNameSchema } from '../../shared/snapshot';
import { CliError } from './cli-error';
import { EXPORT_COMMANDS } from './export-args';
import {
  domainArgs,
  GLOBAL_OPTIONS,
  maxFreeze,
  onDomain,
  onHost,
  OPTIONS,
  PARSE_OPTIONS,
  seconds,
  wholeNumber,
  type Command,
  type CommandSpec,
  type Globals,
  type OptionName,
  type Values,
} from './options';
import { SCHEDULE_COMMANDS } from './schedule-args';

export type { Command, CommandName, CommandSpec, Globals } from './options';

const PortSchema = z.number().int().min(1).max(65535);

/**
 * The command line → one command, checked: the command word(s), its positional arguments and the
 * options it accepts (Node's util.parseArgs does the tokenizing). Pure: no I/O, no service.
 */

/** The app's actions on hosts and domains, in the order `quiesce help` lists them. */
const CORE_COMMANDS: readonly CommandSpec[] = [
  {
    words: ['hosts'],
    args: [],
    options: [],
    summary: 'List the app’s saved hosts (name, id, address).',
    build: () => ({ name: 'hosts' }),
  },
  {
    words: ['host', 'add'],
    args: ['NAME', 'USER@ADDRESS'],
    options: ['port', 'key', 'libvirt-uri', 'host-dir', 'allow-legacy-algorithms'],
    summary:
      'Save a host profile, as the app’s “Add host” does (ssh-agent unless --key); nothing is connected.',
    build: (a, v) => ({ name: 'host-add', draft: hostDraft(a[0]!, a[1]!, v) }),
  },
  onHost(
    ['host', 'remove'],
    'host-remove',
    'Remove a saved host profile (nothing changes on the host).',
  ),
  {
    words: ['trust'],
    args: ['HOST', 'FINGERPRINT'],
    options: [],
    summary:
      'Save the host’s key in known_hosts if it offers exactly this SHA256 fingerprint (checked by you, out of band).',
    build: (a) => ({ name: 'trust', host: a[0]!, fingerprint: fingerprint(a[1]!) }),
  },
  onHost(['ls'], 'ls', 'List the host’s domains with their readiness.'),
  {
    words: ['snapshot'],
    args: ['HOST', 'DOMAIN'],
    options: ['name', 'description', 'allow-crash-consistent', 'max-freeze'],
    summary: 'Take a consistent snapshot; progress on stderr.',
    build: (a, v) => ({
      name: 'snapshot',
      ...domainArgs(a),
      ...(v.name === undefined ? {} : { snapshotName: snapshotName(v.name) }),
      description: v.description ?? '',
      allowCrashConsistent: v['allow-crash-consistent'] ?? false,
      ...maxFreeze(v),
    }),
  },
  onDomain(['history'], 'history', 'The domain’s snapshots, disk chains and Quiesce’s operations.'),
  onDomain(
    ['doctor'],
    'doctor',
    'The agent doctor: each readiness check with its evidence and remedy.',
  ),
  {
    words: ['test-freeze'],
    args: ['HOST', 'DOMAIN'],
    options: ['max-freeze'],
    summary: 'Freeze and thaw through the same runner and watchdog; nothing is cut.',
    build: (a, v) => ({ name: 'test-freeze', ...domainArgs(a), ...maxFreeze(v) }),
  },
  onDomain(['thaw'], 'thaw', 'Thaw a guest found frozen.'),
  onDomain(
    ['add-agent-channel'],
    'add-agent-channel',
    'Add the guest agent channel to the persistent definition (applies at the next start).',
  ),
  onSnapshot('delete', 'Delete a snapshot (libvirt merges its overlay).'),
  onDomain(['merge'], 'merge', 'Fold every disk’s chain into its base image; progress on stderr.'),
  onRevert(
    'preview',
    'What reverting to a snapshot (or, with --branch, a branch id) would do; does nothing.',
  ),
  onRevert(
    'start',
    'Revert: stop the guest, new overlays on the snapshot’s images, start; the state left is kept as a branch.',
  ),
  onDomain(
    ['revert', 'recover'],
    'revert-recover',
    'Finish or roll back the domain’s reverts that died half-way.',
  ),
  onDomain(
    ['branches'],
    'branches',
    'The discarded branches reverts left, and the snapshot the guest descends from.',
  ),
  {
    words: ['delete-branch'],
    args: ['HOST', 'DOMAIN', 'BRANCH'],
    options: [],
    summary: 'Delete a discarded branch’s files (each only if nothing uses it).',
    build: (a) => ({ name: 'delete-branch', ...domainArgs(a), branch: a[2]! }),
  },
  onDomain(
    ['restore-tests'],
    'restore-tests',
    'The domain’s earlier restore tests as the host keeps them, newest first.',
  ),
  onSnapshot(
    'restore-test',
    'Boot a disposable clone of a snapshot and read its filesystems; progress on stderr.',
  ),
  onHost(['operations'], 'operations', 'The host’s recent snapshot operations, newest first.'),
  {
    words: ['help'],
    args: [],
    options: [],
    summary: 'This text, or one command’s (`quiesce help snapshot`).',
    build: () => ({ name: 'help' }),
  },
];

/** Every command, in the order `quiesce help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  ...CORE_COMMANDS.filter((c) => c.words[0] !== 'help'),
  ...SCHEDULE_COMMANDS,
  ...EXPORT_COMMANDS,
  ...CORE_COMMANDS.filter((c) => c.words[0] === 'help'),
];

/** `user@address` and the options → a host draft the contract accepts (said per field if not). */
function hostDraft(name: string, target: string, v: Values): HostDraft {
  const at = target.lastIndexOf('@');
  if (at <= 0)
    throw CliError.usage(
      `Give the login as USER@ADDRESS, not “${target}”.`,
      'For example: admin@kvm1.example',
    );
  const draft = {
    name,
    user: target.slice(0, at),
    address: target.slice(at + 1),
    port: v.port === undefined ? 22 : wholeNumber('port', v.port, PortSchema),
    auth: v.key === undefined ? { kind: 'agent' } : { kind: 'key', keyPath: v.key },
    ...(v['libvirt-uri'] === undefined ? {} : { libvirtUri: v['libvirt-uri'] }),
    ...(v['host-dir'] === undefined ? {} : { hostDir: v['host-dir'] }),
    ...(v['allow-legacy-algorithms'] ? { allowLegacyAlgorithms: true } : {}),
  };
  const r = HostDraftSchema.safeParse(draft);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw CliError.usage(`${issue?.path.join('.') || 'host'}: ${issue?.message ?? 'not valid'}.`);
  }
  return draft as HostDraft;
}

/** OpenSSH's form, as `ssh-keygen -l` prints it and the app shows it. */
function fingerprint(text: string): string {
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(text))
    throw CliError.usage(
      `“${text}” is not a SHA256 fingerprint.`,
      'Give it as ssh-keygen -l prints it: SHA256: and 43 characters.',
    );
  return text;
}

function snapshotName(name: string): string {
  const r = SnapshotNameSchema.safeParse(name);
  if (!r.success) throw CliError.usage(`--name: ${r.error.issues[0]?.message ?? 'not valid'}.`);
  return name;
}

function revertOptions(
  a: string[],
  v: Values,
): { target: RevertTarget; allowForce: boolean; stopTimeoutS?: number } {
  const ref = a[2]!;
  let target: RevertTarget;
  if (v.branch) {
    if (!/^[0-9TZ]+-[0-9a-f]{8}$/.test(ref))
      throw CliError.usage(
        `“${ref}” is not a branch id.`,
        'Branch ids look like 20261201T061500Z-1a2b3c4d; `quiesce branches HOST DOMAIN` lists them.',
      );
    target = { kind: 'branch', id: ref };
  } else target = { kind: 'snapshot', name: ref };
  const timeout = v['stop-timeout'];
  return {
    target,
    allowForce: v['allow-force'] ?? false,
    ...(timeout === undefined
      ? {}
      : {
          stopTimeoutS: seconds(
            'stop-timeout',
            timeout,
            RevertOptionsSchema.shape.stopTimeoutS.unwrap(),
          ),
        }),
  };
}

/** `quiesce WORD HOST DOMAIN SNAPSHOT`, no options: an action on one of the domain's snapshots. */
function onSnapshot(name: 'delete' | 'restore-test', summary: string): CommandSpec {
  return {
    words: [name],
    args: ['HOST', 'DOMAIN', 'SNAPSHOT'],
    options: [],
    summary,
    build: (a) => ({ name, ...domainArgs(a), snapshot: a[2]! }),
  };
}

/** `quiesce revert WORD HOST DOMAIN TARGET`: the preview and the revert read the same target. */
function onRevert(word: 'preview' | 'start', summary: string): CommandSpec {
  return {
    words: ['revert', word],
    args: ['HOST', 'DOMAIN', 'TARGET'],
    options: ['branch', 'allow-force', 'stop-timeout'],
    summary,
    build: (a, v) => ({ name: `revert-${word}`, ...domainArgs(a), ...revertOptions(a, v) }),
  };
}

/** The spec whose words start the positionals (the longest match: `revert start` over `revert`). */
export function findSpec(words: readonly string[]): CommandSpec | undefined {
  return COMMANDS.filter((s) => s.words.every((w, i) => words[i] === w)).sort(
    (x, y) => y.words.length - x.words.length,
  )[0];
}

/** `quiesce revert` alone: the commands that start with these words. */
export function specsStartingWith(word: string): CommandSpec[] {
  return COMMANDS.filter((s) => s.words[0] === word);
}

export interface ParsedLine {
  command: Command;
  globals: Globals;
}

/** Whether the raw arguments ask for JSON: used to report a command line that cannot be parsed. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** Parses `quiesce`'s arguments (without `node` and the script). Throws CliError (usage). */
export function parseCommandLine(argv: readonly string[]): ParsedLine {
  const config = {
    args: [...argv],
    options: PARSE_OPTIONS,
    allowPositionals: true,
    strict: true,
    tokens: true,
  } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    throw CliError.usage((err as Error).message.split('\n')[0]!);
  }
  const values = parsed.values as Values;
  const globals: Globals = {
    json: values.json ?? false,
    quiet: values.quiet ?? false,
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values['known-hosts'] === undefined ? {} : { knownHosts: values['known-hosts'] }),
  };
  const positionals = parsed.positionals;
  const first = positionals[0];
  if (first === undefined) return { command: { name: 'help' }, globals };

  const spec = findSpec(positionals);
  if (!spec && values.help && specsStartingWith(first).length > 0)
    return { command: { name: 'help', topic: first }, globals };
  if (!spec) {
    const family = specsStartingWith(first);
    if (family.length > 0)
      throw CliError.usage(
        `\`quiesce ${first}\` needs one of: ${family.map((s) => s.words.slice(1).join(' ')).join(', ')}.`,
        `Run \`quiesce help ${first}\`.`,
      );
    throw CliError.usage(`“${first}” is not a quiesce command.`);
  }
  if (values.help || spec.words[0] === 'help') {
    const topic = values.help ? spec.words.join(' ') : positionals.slice(1).join(' ');
    return { command: { name: 'help', ...(topic ? { topic } : {}) }, globals };
  }

  const given = new Set(
    parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name as OptionName] : [])),
  );
  for (const name of given) {
    if (!GLOBAL_OPTIONS.includes(name) && !spec.options.includes(name))
      throw CliError.usage(
        `--${name} is not an option of \`quiesce ${spec.words.join(' ')}\`.`,
        `Run \`quiesce help ${spec.words.join(' ')}\`.`,
      );
  }
  const args = positionals.slice(spec.words.length);
  const least = spec.args.length - (spec.optional ?? 0);
  if (args.length < least || args.length > spec.args.length) {
    throw CliError.usage(
      `\`quiesce ${spec.words.join(' ')}\` takes ${spec.args.length === 0 ? 'no arguments' : argsText(spec)}${
        args.length > spec.args.length ? `; “${args[spec.args.length]}” is one too many` : ''
      }.`,
      `Usage: ${synopsis(spec)}`,
    );
  }
  for (const name of spec.required ?? []) {
    if (values[name] === undefined)
      throw CliError.usage(
        `\`quiesce ${spec.words.join(' ')}\` needs --${name}.`,
        `Usage: ${synopsis(spec)}`,
      );
  }
  for (const [i, arg] of args.entries()) {
    if (arg === '') throw CliError.usage(`${spec.args[i]} is empty.`, `Usage: ${synopsis(spec)}`);
  }
  return { command: spec.build(args, values), globals };
}

/** One command's usage line, e.g. `quiesce snapshot HOST DOMAIN [--name N] …`. */
export function synopsis(spec: CommandSpec): string {
  const opts = spec.options.map((o) => {
    const def: { type: string; value?: string } = OPTIONS[o];
    const text = def.value === undefined ? `--${o}` : `--${o} ${def.value}`;
    return spec.required?.includes(o) ? text : `[${text}]`;
  });
  return ['quiesce', ...spec.words, argsText(spec), ...opts].filter(Boolean).join(' ');
}

/** `HOST DOMAIN [SNAPSHOT]`: the arguments, the ones that may be left out in brackets. */
function argsText(spec: CommandSpec): string {
  const least = spec.args.length - (spec.optional ?? 0);
  return spec.args.map((a, i) => (i < least ? a : `[${a}]`)).join(' ');
}
