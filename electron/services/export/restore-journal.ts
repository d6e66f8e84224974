import { z } from 'zod';
import type { RestoreDiskProgress } from '../../../shared/export';
import { addPhaseLine } from '../../../shared/operation-state';
import {
  RestoreKindSchema,
  RestorePhaseSchema,
  type RestoreRun,
} from '../../../shared/export-restore-run';
import { b64, b64Text as text, lineBase, runnerJournal, uint } from '../snapshot/journal-line';

/**
 * A restore's journal, exactly as host-scripts/restore-runner.sh writes it. The members every
 * line starts with, the start line's shape, the phase, result and end lines are every runner's
 * (snapshot/journal-line.ts); progress and out, and the start's and result's own members, are a
 * restore's.
 */
const id = z.string().regex(/^[0-9A-Za-z-]+$/);
const restoreJournal = runnerJournal(
  RestoreKindSchema,
  {
    pid: uint,
    exportId: id,
    restoreId: id,
    /** A new domain's name (b64; empty over the original). */
    name: b64,
    start: z.union([z.literal(0), z.literal(1)]),
  },
  { cancelled: z.boolean(), code: uint },
  [
    /** restore-lib.sh's "progress TARGET DONE TOTAL RATE ETA", its numbers checked by the runner. */
    z.object({
      ev: z.literal('progress'),
      ...lineBase,
      target: z.string().regex(/^[A-Za-z0-9]+$/),
      done: uint,
      total: uint,
      rate: uint,
      etaS: z.number().int().min(-1),
    }),
    /** Any other line the restore script printed (b64), in order. */
    z.object({ ev: z.literal('out'), ...lineBase, b64 }),
  ],
  'The restore runner on the host stopped before recording an outcome: look at the domain and the images folder.',
);
export const RestoreLineSchema = restoreJournal.schema;
export type RestoreLine = z.infer<typeof RestoreLineSchema>;

/** Every whole, valid line of a restore journal; a torn line costs only itself. */
export const readRestoreLines = restoreJournal.read;

/** A progress line as the contract's disk progress (ETA -1: unknown). */
export function restoreDiskOf(l: RestoreLine & { ev: 'progress' }): RestoreDiskProgress {
  return {
    target: l.target,
    done: Math.min(l.done, l.total),
    total: l.total,
    rate: l.rate,
    etaS: l.etaS < 0 ? null : l.etaS,
  };
}

/** A line's text as the script printed it (b64Text trims; an out line keeps its spaces). */
const untrimmed = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/**
 * A restore's summary from its journal lines, pure. `runnerGone`: no end line, and no runner on
 * the host either.
 */
export function summarizeRestore(
  opId: string,
  lines: readonly RestoreLine[],
  runnerGone: boolean,
): RestoreRun {
  const s: RestoreRun = {
    opId,
    state: 'running',
    phases: [],
    message: null,
    failedPhase: null,
    kind: null,
    uuid: '',
    exportId: '',
    restoreId: '',
    name: '',
    disks: [],
    images: [],
    copied: false,
    cancelled: false,
    code: null,
    output: [],
    startedAt: null,
  };
  for (const l of lines) {
    switch (l.ev) {
      case 'start':
        s.kind = l.kind;
        s.uuid = l.uuid;
        s.exportId = l.exportId;
        s.restoreId = l.restoreId;
        s.name = text(l.name) ?? '';
        if (l.rt) s.startedAt = new Date(l.rt / 1e6).toISOString();
        break;
      case 'phase': {
        const phase = RestorePhaseSchema.safeParse(l.phase);
        if (phase.success) addPhaseLine(s.phases, phase.data, l.status, text(l.b64));
        break;
      }
      case 'progress': {
        const disk = restoreDiskOf(l);
        const at = s.disks.findIndex((d) => d.target === l.target);
        if (at < 0) s.disks.push(disk);
        else s.disks[at] = disk;
        break;
      }
      case 'out': {
        const line = untrimmed(l.b64);
        s.output.push(line);
        const [word, target, ...rest] = line.split(' ');
        if (word === 'disk' && target) s.images.push({ target, image: rest.join(' ') });
        else if (word === 'copied') s.copied = true;
        break;
      }
    }
  }
  const { result, ...outcome } = restoreJournal.outcome(lines, runnerGone);
  Object.assign(s, outcome);
  if (result) {
    s.cancelled = result.cancelled;
    s.code = result.code;
  }
  return s;
}
