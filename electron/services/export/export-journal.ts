import { z } from 'zod';
import { ExportPhaseSchema, type ExportSummary } from '../../../shared/export';
import { addPhaseLine } from '../../../shared/operation-state';
import { ByteCountSchema } from '../../../shared/values';
import {
  OrphanRemovedLineSchema,
  b64,
  b64Text as text,
  lineBase as base,
  lineReader,
  readJournalLine,
  readLinesWith,
  resultLineSchema,
  runnerOutcome,
  startLineSchema,
  uint,
  type JournalLine,
} from '../snapshot/journal-line';
import { windowMs } from '../snapshot/journal';

/**
 * One line of an export's journal, exactly as host-scripts/export-runner.sh writes it. The lines
 * both runners write (phase, frozen, thawed, the watchdog's, end) are the snapshot journal's own
 * (snapshot/journal-line.ts: the watchdog writes into either); start, plan, progress, file,
 * checkpoint, exported and result are an export's.
 */
const name = z.string().regex(/^[0-9A-Za-z-]*$/);

export const ExportLineSchema = z.discriminatedUnion('ev', [
  startLineSchema(z.literal('export'), {
    dest: b64,
    mode: z.enum(['full', 'incremental']),
    policy: z.enum(['require', 'allow-crash-consistent']),
    pid: uint,
    maxFreezeS: uint,
  }),
  /** What will be done: full or incremental (b64: why full), the space needed and free. */
  z.object({
    ev: z.literal('plan'),
    ...base,
    mode: z.enum(['full', 'incremental']),
    b64,
    parent: name,
    from: name,
    checkpoint: name,
    /** Bytes: may pass 2^53 (read as a slightly rounded float). */
    needBytes: ByteCountSchema,
    freeBytes: ByteCountSchema,
    disks: z.array(z.object({ target: z.string(), capacity: z.number().nonnegative() })).optional(),
  }),
  z.object({
    ev: z.literal('progress'),
    ...base,
    done: uint,
    total: uint,
    rate: uint,
    etaS: z.number().int(),
    files: z.array(z.object({ target: z.string(), bytes: uint })),
  }),
  /** A file in the destination this run created, removed, or kept (b64: why) on the way out. */
  z.object({ ev: z.literal('file'), ...base, act: z.enum(['created', 'removed', 'kept']), b64 }),
  /** A file an earlier export, killed outright, made and never removed, removed by this run. */
  OrphanRemovedLineSchema,
  z.object({
    ev: z.literal('checkpoint'),
    ...base,
    act: z.enum(['deleted', 'kept']),
    name,
    b64: b64.optional(),
  }),
  z.object({ ev: z.literal('exported'), ...base, exportId: name, b64 }),
  resultLineSchema({
    label: z.enum(['quiesced', 'crash-consistent']).optional(),
    filesystems: uint.optional(),
    mode: z.enum(['full', 'incremental']),
    cancelled: z.boolean(),
    bytes: uint,
  }),
]);
type OwnLine = z.infer<typeof ExportLineSchema>;
const SHARED = new Set(['phase', 'frozen', 'thawed', 'end']);
type SharedLine = Extract<
  JournalLine,
  { ev: 'phase' | 'frozen' | 'thawed' | 'end' | `watchdog-${string}` }
>;
export type ExportLine = OwnLine | SharedLine;

const readOwn = lineReader(ExportLineSchema);
function readOne(part: string): ExportLine | undefined {
  const own = readOwn(part);
  if (own) return own;
  const shared = readJournalLine(part);
  if (shared && (SHARED.has(shared.ev) || shared.ev.startsWith('watchdog-')))
    return shared as SharedLine;
  return undefined;
}

/** Every whole, valid line of an export journal; a torn line costs only itself. */
export function readExportLines(journal: string): ExportLine[] {
  return readLinesWith(journal, readOne);
}

/** An export's summary from its journal. `runnerGone`: its runner no longer runs on the host. */
export function summarizeExport(
  opId: string,
  lines: readonly ExportLine[],
  runnerGone: boolean,
): ExportSummary {
  const s: ExportSummary = {
    opId,
    uuid: '',
    dest: '',
    state: 'running',
    modeAsked: null,
    mode: null,
    fullReason: null,
    parent: null,
    checkpoint: null,
    needBytes: null,
    freeBytes: null,
    phases: [],
    progress: null,
    windowMs: null,
    consistency: null,
    cancelled: false,
    folder: null,
    message: null,
    failedPhase: null,
    watchdog: null,
  };
  for (const l of lines) {
    switch (l.ev) {
      case 'start':
        s.uuid = l.uuid;
        s.dest = text(l.dest) ?? '';
        s.modeAsked = l.mode;
        break;
      case 'plan':
        s.mode = l.mode;
        s.fullReason = text(l.b64) || null;
        s.parent = l.parent || null;
        s.checkpoint = l.checkpoint || null;
        s.needBytes = l.needBytes;
        s.freeBytes = l.freeBytes;
        break;
      case 'phase': {
        const phase = ExportPhaseSchema.safeParse(l.phase);
        if (phase.success) addPhaseLine(s.phases, phase.data, l.status, text(l.b64));
        break;
      }
      case 'progress':
        s.progress = {
          done: l.done,
          total: l.total,
          rate: l.rate,
          etaS: l.etaS < 0 ? null : l.etaS,
          disks: l.files.map((f) => ({ target: f.target, bytes: f.bytes })),
        };
        break;
      case 'thawed':
        s.windowMs = windowMs(l);
        break;
      case 'exported':
        s.folder = text(l.b64) ?? null;
        break;
      default:
        if (l.ev.startsWith('watchdog-')) s.watchdog = l.ev.slice('watchdog-'.length);
    }
  }
  const { result, ...outcome } = runnerOutcome<ExportLine, OwnLine & { ev: 'result' }>(
    lines,
    runnerGone,
    'The export runner on the host stopped before recording an outcome; the watchdog thaws the guest.',
  );
  Object.assign(s, outcome);
  if (result) {
    s.mode = result.mode;
    s.cancelled = result.cancelled;
    if (result.ok && result.label === 'quiesced')
      s.consistency = { label: 'quiesced', filesystems: result.filesystems ?? 0 };
    else if (result.ok)
      s.consistency = { label: 'crash-consistent', reason: s.message ?? 'no freeze' };
  }
  return s;
}
