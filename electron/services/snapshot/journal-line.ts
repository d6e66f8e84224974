import { z } from 'zod';
import { PhaseStatusSchema } from '../../../shared/operation-state';

/**
 * One line of an operation's journal on the host, exactly as the runner (snapshot-runner.sh) and
 * its watchdog (watchdog.sh) write it: the host protocol, defined once. The app's follower, the
 * operations list, the history and the bench all read lines through `readJournalLines`.
 * Free text is base64 (`b64`), so the shell writers never have to escape JSON.
 *
 * What every runner writes alike through host-lib.sh (the fields each line starts with, the phase
 * line, torn-line reading) is exported here for the other runners' journals (export, revert,
 * restore test), so it is said once.
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
  z.object({
    ev: z.literal('result'),
    ...lineBase,
    ok: z.boolean(),
    label: label.optional(),
    filesystems: uint.optional(),
    b64: b64.optional(),
    failedPhase: z.string().optional(),
    snapshotTaken: taken.optional(),
    /** On a failure that still left a snapshot: what that snapshot is. */
    outcome: z.object({ label, filesystems: uint.optional(), b64: b64.optional() }).optional(),
  }),
  z.object({ ev: z.literal('end'), ...lineBase }),
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
