import type { ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import type { HostDraft } from '../../shared/hosts';
import type { RevertTarget } from '../../shared/revert';
import type { AgentNotReady, Retention, When } from '../../shared/schedule/policy';
import { MaxFreezeSchema, type QuiescePolicy } from '../../shared/snapshot';
import { CliError } from './cli-error';

/**
 * What the command line can say: every option (util.parseArgs' table), every command as the
 * parser hands it on, and the shape of a command's entry in the tables (parse-args.ts,
 * schedule-args.ts, export-args.ts). Pure.
 */

/** Options every command takes. */
export interface Globals {
  json: boolean;
  quiet: boolean;
  /** The app's folder (as QUIESCE_DATA_DIR): its settings, and the data unless they move it. */
  dataDir?: string;
  /** The known_hosts file (as QUIESCE_KNOWN_HOSTS). */
  knownHosts?: string;
}

export type HostArg = { host: string };
export type DomainArg = HostArg & { domain: string };

/** The commands that name one host and take nothing else. */
export type HostOnlyName = 'host-remove' | 'ls' | 'operations' | 'schedule-seen';

/** The commands that name one domain and take nothing else. */
export type DomainOnlyName =
  | 'history'
  | 'doctor'
  | 'thaw'
  | 'merge'
  | 'branches'
  | 'revert-recover'
  | 'add-agent-channel'
  | 'restore-tests';

export type Command =
  | { name: 'help'; topic?: string }
  | { name: 'hosts' }
  | ({ name: 'trust'; fingerprint: string } & HostArg)
  | ({ name: 'ls' } & HostArg)
  | ({ name: 'operations' } & HostArg)
  | ({
      name: 'snapshot';
      /** Absent: a name made from the time, as the app's dialog does. */
      snapshotName?: string;
      description: string;
      allowCrashConsistent: boolean;
      /** Absent: the domain's remembered maximum freeze, else the app's default. */
      maxFreezeS?: number;
    } & DomainArg)
  | ({ name: 'test-freeze'; maxFreezeS?: number } & DomainArg)
  | ({ name: DomainOnlyName } & DomainArg)
  | ({ name: 'delete' | 'restore-test'; snapshot: string } & DomainArg)
  | ({
      name: 'revert-preview' | 'revert-start';
      target: RevertTarget;
      allowForce: boolean;
      stopTimeoutS?: number;
    } & DomainArg)
  | ({ name: 'delete-branch'; branch: string } & DomainArg)
  | {
      name: 'host-add';
      /** The profile as the app's "Add host" form would save it (shared/hosts.ts). */
      draft: HostDraft;
    }
  | ({ name: 'host-remove' } & HostArg)
  | ({ name: 'schedule-ls'; check: boolean } & HostArg)
  | ({ name: 'schedule-seen' } & HostArg)
  | ({
      name: 'schedule-add';
      id: string;
      /** A domain by name or UUID; absent: every domain with a ready agent. */
      domain?: string;
      when: When;
      retention: Retention;
      policy: QuiescePolicy;
      maxFreezeS?: number;
      whenAgentNotReady: AgentNotReady;
      install: 'auto' | 'cron' | 'systemd';
    } & HostArg)
  | ({ name: 'schedule-remove'; id: string } & HostArg)
  | ({ name: 'schedule-run'; id: string; pruneOnly: boolean } & HostArg)
  | ({
      name: 'schedule-preview-prune';
      id: string;
      /** Absent: the installed schedule's own rules. */
      retention?: Retention;
    } & DomainArg)
  | ({ name: 'schedule-hook'; command: string } & HostArg)
  | ({
      name: 'export-start';
      dest: string;
      /** An existing snapshot to export (its frozen images: no freeze, always full). */
      snapshot?: string;
      full: boolean;
      allowCrashConsistent: boolean;
      maxFreezeS?: number;
    } & DomainArg)
  | ({ name: 'export-space'; dest: string } & DomainArg)
  | ({ name: 'export-ls'; domain?: string; dest?: string } & HostArg)
  | ({ name: 'export-verify'; dest: string; exportId: string } & DomainArg)
  | ({
      name: 'export-prune';
      dest: string;
      keep?: number;
      exportId?: string;
      apply: boolean;
    } & DomainArg)
  | ({ name: 'export-cancel'; opId: string } & HostArg)
  | ({
      name: 'export-copy';
      dest: string;
      exportId: string;
      /** A folder on this computer, or with `toHost` on that host. */
      to: string;
      toHost?: string;
    } & DomainArg);
export type CommandName = Command['name'];

/**
 * Every option, once: its type for util.parseArgs (and its short form), and for one that takes a
 * value, what the value is called in the usage lines (`--dest DIR`).
 */
export const OPTIONS = {
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  'data-dir': { type: 'string', value: 'DIR' },
  'known-hosts': { type: 'string', value: 'FILE' },
  name: { type: 'string', value: 'NAME' },
  description: { type: 'string', value: 'TEXT' },
  'allow-crash-consistent': { type: 'boolean' },
  'max-freeze': { type: 'string', value: 'SECONDS' },
  branch: { type: 'boolean' },
  'allow-force': { type: 'boolean' },
  'stop-timeout': { type: 'string', value: 'SECONDS' },
  'ready-agents': { type: 'boolean' },
  'every-hours': { type: 'string', value: 'N' },
  minute: { type: 'string', value: 'M' },
  daily: { type: 'string', value: 'HH:MM' },
  weekly: { type: 'string', value: 'DAYS' },
  at: { type: 'string', value: 'HH:MM' },
  'keep-last': { type: 'string', value: 'N' },
  'keep-hourly': { type: 'string', value: 'N' },
  'keep-daily': { type: 'string', value: 'N' },
  'keep-weekly': { type: 'string', value: 'N' },
  'keep-monthly': { type: 'string', value: 'N' },
  'if-agent-not-ready': { type: 'string', value: 'skip|crash-consistent' },
  install: { type: 'string', value: 'auto|cron|systemd' },
  'prune-only': { type: 'boolean' },
  remove: { type: 'boolean' },
  dest: { type: 'string', value: 'DIR' },
  full: { type: 'boolean' },
  keep: { type: 'string', value: 'N' },
  export: { type: 'string', value: 'ID' },
  apply: { type: 'boolean' },
  port: { type: 'string', value: 'PORT' },
  key: { type: 'string', value: 'FILE' },
  'libvirt-uri': { type: 'string', value: 'URI' },
  'host-dir': { type: 'string', value: 'DIR' },
  'allow-legacy-algorithms': { type: 'boolean' },
  to: { type: 'string', value: 'DIR' },
  check: { type: 'boolean' },
  'to-host': { type: 'string', value: 'HOST' },
  snapshot: { type: 'string', value: 'NAME' },
} as const satisfies Record<string, OptionDef>;
type OptionDef = { type: 'boolean'; short?: string } | { type: 'string'; value: string };
export type OptionName = keyof typeof OPTIONS;
export type Values = {
  [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

/** OPTIONS as util.parseArgs takes them: the type and short form alone. */
export const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, def]) => [
    name,
    'short' in def ? { type: def.type, short: def.short } : { type: def.type },
  ]),
) as {
  [K in OptionName]: { type: (typeof OPTIONS)[K]['type']; short?: string };
} satisfies ParseArgsConfig['options'];

export const GLOBAL_OPTIONS: readonly OptionName[] = [
  'json',
  'quiet',
  'help',
  'data-dir',
  'known-hosts',
];

/** One command: the words that call it, its arguments, its own options, and what it does. */
export interface CommandSpec {
  words: readonly string[];
  args: readonly string[];
  /** How many of the last `args` may be left out. */
  optional?: number;
  options: readonly OptionName[];
  /** Options without which the command cannot run (shown without brackets). */
  required?: readonly OptionName[];
  summary: string;
  build(args: string[], values: Values): Command;
}

/** The HOST and DOMAIN positionals, first of a command's arguments. */
export const domainArgs = (a: string[]): DomainArg => ({ host: a[0]!, domain: a[1]! });

/** `quiesce WORDS HOST`, no options: an action on the host as a whole. */
export function onHost(words: string[], name: HostOnlyName, summary: string): CommandSpec {
  return { words, args: ['HOST'], options: [], summary, build: (a) => ({ name, host: a[0]! }) };
}

/** `quiesce WORDS HOST DOMAIN`, no options: most of the app's per-domain actions. */
export function onDomain(words: string[], name: DomainOnlyName, summary: string): CommandSpec {
  return {
    words,
    args: ['HOST', 'DOMAIN'],
    options: [],
    summary,
    build: (a) => ({ name, ...domainArgs(a) }),
  };
}

/** A whole number checked against a schema of the contract (its range said in the error). */
export function wholeNumber(
  option: string,
  text: string,
  schema: z.ZodNumber,
  unit = 'a whole number',
): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  const r = schema.safeParse(n);
  if (!r.success) {
    const range = `${schema.minValue ?? 0} to ${schema.maxValue ?? ''}`;
    throw CliError.usage(`--${option} takes ${unit} from ${range}, not “${text}”.`);
  }
  return r.data;
}

/** A whole number of seconds checked against the contract's own range. */
export function seconds(option: string, text: string, schema: z.ZodNumber): number {
  return wholeNumber(option, text, schema, 'a whole number of seconds');
}

/** `--max-freeze SECONDS`, checked against the contract's range; absent when not given. */
export function maxFreeze(v: Values): { maxFreezeS?: number } {
  const text = v['max-freeze'];
  return text === undefined ? {} : { maxFreezeS: seconds('max-freeze', text, MaxFreezeSchema) };
}

/** A value one of the contract's own schemas accepts, or a usage error naming the option. */
export function valid<T>(option: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw CliError.usage(`--${option}: ${r.error.issues[0]?.message ?? 'not valid'}.`);
  return r.data;
}
