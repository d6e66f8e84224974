import { z } from 'zod';
import { PhaseStatusSchema, journalOutcome } from '../../../shared/operation-state';

/**
 * One line of an operation's journal on the host, exactly as the runner (snapshot-runner.sh) and
 * its watchdog (watchdog.sh) write it: the host protocol, defined once. The app's follower, the
 * operations list, the history and the bench all read lines through `readJournalLines`.
 * Free text is base64 (`b64`), so the shell writers never have to escape JSON.
 *
 * What every runner writes alike through host-lib.sh (the fields each line starts with, the start,
 * phase, result and end lines, torn-line reading, the outcome) is exported here for the other
 * runners' journals (export, revert, restore, restore test), so it is said once.
 */
export const b64 = z.string().regex(/^[A-Za-z0-9+/=]*$/);
export const uint = z.number().int().nonnegative();
/** Nanoseconds since the epoch: past 2^53, so read as a (slightly rounded) float. */
const ns = z.number().nonnegative();
/**
 * What host-lib.sh's `journal` writes first on every line: the operation's id, the host's
 * monotonic clock (ms, /proc/uptime) and its wall clock (ns).
 */
export const lineBase = { op: z.string(), mono: uint, rt: ns.optional() };
/** host-lib.sh's `phase NAME STATUS [TEXT]`: a phase opens or closes, with the runner's words. */
export const PhaseLineSchema = z.object({
  ev: z.literal('phase'),
  ...lineBase,
  phase: z.string().regex(/^[a-z-]+$/),
  status: PhaseStatusSchema,
  b64: b64.optional(),
});
/**
 * A runner's start line: what it does (`kind`) to which domain and who started it from where
 * (the workstation's name and the user there, b64), then that runner's own arguments.
 */
export function startLineSchema<K extends z.ZodType, F extends z.ZodRawShape>(kind: K, own: F) {
  return z.object({
    ev: z.literal('start'),
    ...lineBase,
    kind,
    uuid: z.string(),
    workstation: b64,
    user: b64,
    ...own,
  });
}
/**
 * host-lib.sh's `result`: whether the run succeeded and, after a failure, the phase that failed
 * and why (b64); then that runner's own members.
 */
export function resultLineSchema<F extends z.ZodRawShape>(own: F) {
  return z.object({
    ev: z.literal('result'),
    ...lineBase,
    ok: z.boolean(),
    failedPhase: z.string().optional(),
    b64: b64.optional(),
    ...own,
  });
}
/** host-lib.sh's `end`: the runner is done (its last line, after the result if it wrote one). */
export const EndLineSchema = z.object({ ev: z.literal('end'), ...lineBase });
/**
 * A file an earlier run of the same runner, killed outright, made and never removed, removed by
 * this run (b64: the file, from: that run's id).
 */
export const OrphanRemovedLineSchema = z.object({
  ev: z.literal('orphan-removed'),
  ...lineBase,
  b64,
  from: b64,
});
/** A `b64` member's text, trimmed (undefined when the line has none). */
export const b64Text = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8').trim();
const label = z.enum([
  'quiesced',
  'crash-consistent',
  'offline',
  'paused',
  'test-freeze',
  'checkpoint',
]);
/** `yes`/`no`/`unknown` since the runner asks libvirt; 0/1 in journals written before. */
const taken = z.union([z.enum(['yes', 'no', 'unknown']), z.literal(0), z.literal(1)]);

export const JournalLineSchema = z.discriminatedUnion('ev', [
  startLineSchema(z.enum(['snapshot', 'test-freeze']), {
    /** The snapshot's name, as the runner was given it. */
    snapshot: z.string(),
    policy: z.enum(['require', 'allow-crash-consistent']),
    /** The runner's pid, to tell a dead runner (absent in journals written before). */
    pid: uint.optional(),
    /** The watchdog thaws the guest after this many seconds frozen. */
    maxFreezeS: uint,
  }),
  PhaseLineSchema,
  z.object({
    ev: z.literal('disks'),
    ...lineBase,
    disks: z.array(z.object({ target: b64, backing: b64, overlay: b64 })),
    overlays: z.enum(['precreated', 'libvirt']),
  }),
  z.object({ ev: z.literal('frozen'), ...lineBase, filesystems: uint }),
  z.object({
    ev: z.literal('thawed'),
    ...lineBase,
    windowStartRt: ns,
    windowEndRt: ns,
    windowStartMono: uint,
    windowEndMono: uint,
    filesystems: uint.optional(),
  }),
  /** An overlay file this run made, removed, or kept (with why) at the end. */
  z.object({
    ev: z.literal('overlay'),
    ...lineBase,
    act: z.enum(['created', 'removed', 'kept']),
    b64,
  }),
  OrphanRemovedLineSchema,
  /** An earlier run's cut that ended before libvirt recorded it (b64: its name, or why not). */
  z.object({
    ev: z.literal('metadata'),
    ...lineBase,
    act: z.enum(['recorded', 'failed']),
    b64,
    from: b64,
  }),
  z.object({ ev: z.literal('watchdog-fired'), ...lineBase, maxFreezeS: uint }),
  z.object({ ev: z.literal('watchdog-thawed'), ...lineBase, by: z.string() }),
  z.object({ ev: z.literal('watchdog-waiting'), ...lineBase, b64 }),
  z.object({ ev: z.literal('watchdog-released'), ...lineBase }),
  z.object({ ev: z.literal('watchdog-gave-up'), ...lineBase }),
  resultLineSchema({
    label: label.optional(),
    filesystems: uint.optional(),
    snapshotTaken: taken.optional(),
    /** On a failure that still left a snapshot: what that snapshot is. */
    outcome: z.object({ label, filesystems: uint.optional(), b64: b64.optional() }).optional(),
  }),
  EndLineSchema,
]);
export type JournalLine = z.infer<typeof JournalLineSchema>;

/** A reader of one physical line: the line as `schema` reads it, or undefined when it does not. */
export function lineReader<S extends z.ZodType>(
  schema: S,
): (line: string) => z.infer<S> | undefined {
  return (line) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return undefined;
    }
    const r = schema.safeParse(raw);
    return r.success ? r.data : undefined;
  };
}

/**
 * Every valid line of a journal text, each read by `readOne`. A line that is not valid on its own
 * (a writer killed mid-line, then the next line glued to it) is searched for whole lines inside
 * it, so a torn line costs only itself.
 */
export function readLinesWith<L>(text: string, readOne: (line: string) => L | undefined): L[] {
  const out: L[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const whole = readOne(line);
    if (whole) {
      out.push(whole);
      continue;
    }
    for (const part of line.split(/(?=\{"ev":)/)) {
      const l = readOne(part);
      if (l) out.push(l);
    }
  }
  return out;
}

/** One physical line, or undefined when it is not a whole, valid journal line. */
export const readJournalLine = lineReader(JournalLineSchema);

/** Every valid line of a snapshot runner's journal text (see `readLinesWith`). */
export function readJournalLines(text: string): JournalLine[] {
  return readLinesWith(text, readJournalLine);
}

/**
 * What a runner's journal says of its outcome (journalOutcome), with what every result line says
 * alike read out: its message (b64) and, after a failure, the phase that failed. `lost` is the
 * message when the runner stopped before recording an outcome.
 */
export function runnerOutcome<
  L extends { ev: string },
  R extends L & { ok: boolean; b64?: string; failedPhase?: string },
>(lines: readonly L[], runnerGone: boolean, lost: string | null) {
  const { result, state } = journalOutcome<L, R>(lines, runnerGone);
  return {
    result,
    state,
    message: state === 'lost' ? lost : (b64Text(result?.b64) ?? null),
    failedPhase: result && !result.ok ? (result.failedPhase ?? null) : null,
  };
}

/**
 * The journal of a runner launched through host-lib.sh (revert, restore): its start line (kind and
 * own arguments), the phase line, its OWN other lines, its result line (own members), the end
 * line; with the reader of its lines (readLinesWith) and of its outcome (runnerOutcome).
 */
export function runnerJournal<
  K extends z.ZodType,
  S extends z.ZodRawShape,
  R extends z.ZodRawShape,
  O extends readonly z.core.$ZodTypeDiscriminable[],
>(kind: K, start: S, result: R, own: readonly [...O], lost: string | null) {
  const resultLine = resultLineSchema(result);
  const schema = z.discriminatedUnion('ev', [
    startLineSchema(kind, start),
    PhaseLineSchema,
    ...own,
    resultLine,
    EndLineSchema,
  ]);
  type Line = z.infer<typeof schema>;
  // Every line has its `ev` and the result line its members, but TypeScript cannot see it
  // through the union of generic members, hence the one cast.
  type Said = { ev: string; ok: boolean; b64?: string; failedPhase?: string };
  type Result = Said & z.infer<typeof resultLine>;
  const readOne = lineReader(schema);
  return {
    schema,
    read: (journal: string): Line[] => readLinesWith(journal, readOne),
    outcome: (lines: readonly Line[], runnerGone: boolean) =>
      runnerOutcome<{ ev: string }, Result>(lines as readonly Said[], runnerGone, lost),
  };
}
