import { z } from 'zod';

/**
 * One line of an operation's journal on the host, exactly as the runner (snapshot-runner.sh) and
 * its watchdog (watchdog.sh) write it: the host protocol, defined once. The app's follower, the
 * operations list, the history and the bench all read lines through `readJournalLines`.
 * Free text is base64 (`b64`), so the shell writers never have to escape JSON.
 */
const b64 = z.string().regex(/^[A-Za-z0-9+/=]*$/);
const uint = z.number().int().nonnegative();
/** Nanoseconds since the epoch: past 2^53, so read as a (slightly rounded) float. */
const ns = z.number().nonnegative();
const base = { op: z.string(), mono: uint, rt: ns.optional() };
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
  z.object({
    ev: z.literal('start'),
    ...base,
    kind: z.enum(['snapshot', 'test-freeze']),
    uuid: z.string(),
    snapshot: z.string(),
    policy: z.enum(['require', 'allow-crash-consistent']),
    pid: uint.optional(),
    maxFreezeS: uint,
    workstation: b64,
    user: b64,
  }),
  z.object({
    ev: z.literal('phase'),
    ...base,
    phase: z.string().regex(/^[a-z-]+$/),
    status: z.enum(['running', 'done', 'failed']),
    b64: b64.optional(),
  }),
  z.object({
    ev: z.literal('disks'),
    ...base,
    disks: z.array(z.object({ target: b64, backing: b64, overlay: b64 })),
    overlays: z.enum(['precreated', 'libvirt']),
  }),
  z.object({ ev: z.literal('frozen'), ...base, filesystems: uint }),
  z.object({
    ev: z.literal('thawed'),
    ...base,
    windowStartRt: ns,
    windowEndRt: ns,
    windowStartMono: uint,
    windowEndMono: uint,
    filesystems: uint.optional(),
  }),
  /** An overlay file this run made, removed, or kept (with why) at the end. */
  z.object({ ev: z.literal('overlay'), ...base, act: z.enum(['created', 'removed', 'kept']), b64 }),
  /** A file an earlier, killed run made and never removed, removed by this run. */
  z.object({ ev: z.literal('orphan-removed'), ...base, b64, from: b64 }),
  /** An earlier run's cut that ended before libvirt recorded it (b64: its name, or why not). */
  z.object({
    ev: z.literal('metadata'),
    ...base,
    act: z.enum(['recorded', 'failed']),
    b64,
    from: b64,
  }),
  z.object({ ev: z.literal('watchdog-fired'), ...base, maxFreezeS: uint }),
  z.object({ ev: z.literal('watchdog-thawed'), ...base, by: z.string() }),
  z.object({ ev: z.literal('watchdog-waiting'), ...base, b64 }),
  z.object({ ev: z.literal('watchdog-released'), ...base }),
  z.object({ ev: z.literal('watchdog-gave-up'), ...base }),
  z.object({
    ev: z.literal('result'),
    ...base,
    ok: z.boolean(),
    label: label.optional(),
    filesystems: uint.optional(),
    b64: b64.optional(),
    failedPhase: z.string().optional(),
    snapshotTaken: taken.optional(),
    /** On a failure that still left a snapshot: what that snapshot is. */
    outcome: z.object({ label, filesystems: uint.optional(), b64: b64.optional() }).optional(),
  }),
  z.object({ ev: z.literal('end'), ...base }),
]);
export type JournalLine = z.infer<typeof JournalLineSchema>;

/** One physical line, or undefined when it is not a whole, valid journal line. */
export function readJournalLine(line: string): JournalLine | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = JournalLineSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

/**
 * Every valid line of a journal text. A line that is not valid on its own (a writer killed
 * mid-line, then the next line glued to it) is searched for whole lines inside it, so a torn
 * line costs only itself.
 */
export function readJournalLines(text: string): JournalLine[] {
  const out: JournalLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const whole = readJournalLine(line);
    if (whole) {
      out.push(whole);
      continue;
    }
    for (const part of line.split(/(?=\{"ev":)/)) {
      const l = readJournalLine(part);
      if (l) out.push(l);
    }
  }
  return out;
}
