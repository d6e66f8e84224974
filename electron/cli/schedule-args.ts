import {
  AgentNotReadySchema,
  RetentionSchema,
  ScheduleIdSchema,
  WhenSchema,
  type Retention,
  type When,
} from '../../shared/schedule/policy';
import { CliError } from './cli-error';
import {
  maxFreeze,
  onHost,
  valid,
  wholeNumber,
  type Command,
  type CommandSpec,
  type HostArg,
  type OptionName,
  type Values,
} from './options';

/**
 * `quiesce schedule …`: schedules that run on the host (electron/services/schedule/), their
 * retention and alerts, as the app's schedule editor sets them. Pure.
 */

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `mon,wed,fri`, `mon-fri`, `1,3,5` or `0` → cron's day numbers (0 = Sunday). */
export function parseDays(text: string): number[] {
  const day = (t: string): number => {
    const word = t.trim().toLowerCase();
    if (/^[0-6]$/.test(word)) return Number(word);
    const i = word.length >= 3 ? DAYS.findIndex((d) => d.startsWith(word)) : -1;
    if (i < 0)
      throw CliError.usage(
        `--weekly: “${t}” is not a day.`,
        'Days are mon … sun (or 0 … 6, 0 = Sunday), comma-separated or as a range: mon-fri.',
      );
    return i;
  };
  const days: number[] = [];
  for (const part of text.split(',')) {
    const range = part.split('-');
    if (range.length === 2) {
      const [from, to] = [day(range[0]!), day(range[1]!)];
      for (let d = from; ; d = (d + 1) % 7) {
        days.push(d);
        if (d === to) break;
      }
    } else days.push(day(part));
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

/** When it runs: exactly one of --every-hours (with --minute), --daily, --weekly (with --at). */
function whenOf(v: Values): When {
  const given = (['every-hours', 'daily', 'weekly'] as const).filter((o) => v[o] !== undefined);
  if (given.length !== 1)
    throw CliError.usage(
      given.length === 0
        ? 'Say when the schedule runs: --every-hours N, --daily HH:MM or --weekly DAYS --at HH:MM.'
        : `Give one of ${given.map((o) => `--${o}`).join(', ')}, not several.`,
    );
  if (v.minute !== undefined && v['every-hours'] === undefined)
    throw CliError.usage('--minute goes with --every-hours.');
  if (v.at !== undefined && v.weekly === undefined)
    throw CliError.usage('--at goes with --weekly (--daily takes its own time).');
  if (v['every-hours'] !== undefined) {
    const hours = /^[0-9]+$/.test(v['every-hours']) ? Number(v['every-hours']) : NaN;
    const minute = v.minute === undefined ? 0 : Number(v.minute);
    return valid('every-hours', WhenSchema, { kind: 'every-hours', hours, minute });
  }
  if (v.daily !== undefined) return valid('daily', WhenSchema, { kind: 'daily', at: v.daily });
  if (v.at === undefined) throw CliError.usage('--weekly needs --at HH:MM.');
  return valid('weekly', WhenSchema, { kind: 'weekly', days: parseDays(v.weekly!), at: v.at });
}

const KEEP = ['last', 'hourly', 'daily', 'weekly', 'monthly'] as const;

/** The --keep-* rules, or undefined when none is given. */
export function retentionOf(v: Values): Retention | undefined {
  if (KEEP.every((k) => v[`keep-${k}`] === undefined)) return undefined;
  const r: Record<string, number> = {};
  for (const k of KEEP) {
    const text = v[`keep-${k}`];
    r[k] =
      text === undefined ? 0 : wholeNumber(`keep-${k}`, text, RetentionSchema.shape[k].unwrap());
  }
  return RetentionSchema.parse(r);
}

const id = (text: string) => {
  const r = ScheduleIdSchema.safeParse(text);
  if (!r.success) throw CliError.usage(`Schedule id “${text}”: ${r.error.issues[0]?.message}.`);
  return text;
};

const KEEP_OPTIONS = [
  'keep-last',
  'keep-hourly',
  'keep-daily',
  'keep-weekly',
  'keep-monthly',
] as const;

/**
 * A `quiesce schedule WORD HOST [MORE…]` command, on the host's schedules: `build` gets the host,
 * the MORE positionals (the last `optional` of them undefined when left out) and the options.
 */
function onSchedule(spec: {
  word: string;
  more?: readonly string[];
  optional?: number;
  options?: readonly OptionName[];
  summary: string;
  build(at: HostArg, more: (string | undefined)[], v: Values): Command;
}): CommandSpec {
  return {
    words: ['schedule', spec.word],
    args: ['HOST', ...(spec.more ?? [])],
    ...(spec.optional === undefined ? {} : { optional: spec.optional }),
    options: spec.options ?? [],
    summary: spec.summary,
    build: (a, v) => spec.build({ host: a[0]! }, a.slice(1), v),
  };
}

export const SCHEDULE_COMMANDS: readonly CommandSpec[] = [
  onSchedule({
    word: 'ls',
    options: ['check'],
    summary:
      'The host’s schedules: how each is installed, its next run, its last runs, and failures not seen yet (with --check, exit 1 when there are any).',
    build: (at, _, v) => ({ name: 'schedule-ls', ...at, check: v.check ?? false }),
  }),
  onSchedule({
    word: 'add',
    more: ['ID', 'DOMAIN'],
    optional: 1,
    options: [
      'ready-agents',
      'every-hours',
      'minute',
      'daily',
      'weekly',
      'at',
      ...KEEP_OPTIONS,
      'allow-crash-consistent',
      'max-freeze',
      'if-agent-not-ready',
      'install',
    ],
    summary:
      'Install (or replace) a schedule on the host: snapshots of DOMAIN, or with --ready-agents of every domain whose agent answers; retention by --keep-*.',
    build: (at, [sid, domain], v) => {
      if ((domain === undefined) === !v['ready-agents'])
        throw CliError.usage('Name one DOMAIN, or give --ready-agents (not both).');
      const mode = v.install ?? 'auto';
      if (mode !== 'auto' && mode !== 'cron' && mode !== 'systemd')
        throw CliError.usage(`--install takes auto, cron or systemd, not “${mode}”.`);
      return {
        name: 'schedule-add',
        ...at,
        id: id(sid!),
        ...(domain === undefined ? {} : { domain }),
        when: whenOf(v),
        retention: retentionOf(v) ?? RetentionSchema.parse({}),
        policy: v['allow-crash-consistent'] ? 'allow-crash-consistent' : 'require',
        ...maxFreeze(v),
        whenAgentNotReady: valid(
          'if-agent-not-ready',
          AgentNotReadySchema,
          v['if-agent-not-ready'] ?? 'skip',
        ),
        install: mode,
      };
    },
  }),
  onSchedule({
    word: 'remove',
    more: ['ID'],
    summary: 'Remove a schedule and every trace of it on the host (its snapshots stay).',
    build: (at, [sid]) => ({ name: 'schedule-remove', ...at, id: id(sid!) }),
  }),
  onSchedule({
    word: 'preview-prune',
    more: ['ID', 'DOMAIN'],
    options: [...KEEP_OPTIONS],
    summary:
      'What the prune would keep (and why) and delete now: with the schedule’s own rules, or the --keep-* given.',
    build: (at, [sid, domain], v) => {
      const retention = retentionOf(v);
      return {
        name: 'schedule-preview-prune',
        ...at,
        id: id(sid!),
        domain: domain!,
        ...(retention ? { retention } : {}),
      };
    },
  }),
  onSchedule({
    word: 'run',
    more: ['ID'],
    options: ['prune-only'],
    summary: 'Start the installed job now, detached on the host (or only its prune).',
    build: (at, [sid], v) => ({
      name: 'schedule-run',
      ...at,
      id: id(sid!),
      pruneOnly: v['prune-only'] ?? false,
    }),
  }),
  onHost(
    ['schedule', 'seen'],
    'schedule-seen',
    'Mark the host’s schedule failures so far as seen (the app’s badge clears too).',
  ),
  onSchedule({
    word: 'hook',
    more: ['COMMAND'],
    optional: 1,
    options: ['remove'],
    summary:
      'The command the host runs with a failure as JSON on stdin (e.g. mail or curl); --remove removes it.',
    build: (at, [command], v) => {
      if ((command === undefined) === !v.remove)
        throw CliError.usage('Give the hook’s COMMAND, or --remove (not both).');
      return { name: 'schedule-hook', ...at, command: command ?? '' };
    },
  }),
];
