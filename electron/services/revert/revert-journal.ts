import { z } from 'zod';
import { addPhaseLine } from '../../../shared/operation-state';
import { RevertPhaseSchema, type RevertSummary } from '../../../shared/revert';
import { b64, b64Text as text, lineBase, runnerJournal, uint } from '../snapshot/journal-line';

/**
 * A revert's journal, exactly as host-scripts/revert-runner.sh writes it (free text in base64, so
 * the shell never escapes JSON). Its own schema: revert journals live in their own folder
 * (HOSTDIR/reverts/ops), apart from the snapshot runner's; what every runner writes alike (the
 * fields each line starts with, the start's shape, the phase, result and end lines) is
 * snapshot/journal-line.ts's.
 */
const revertJournal = runnerJournal(
  z.enum(['revert', 'recover']),
  {
    /** What the revert goes to: a snapshot's name or a branch's id (none when recovering). */
    targetKind: z.enum(['snapshot', 'branch', 'none']),
    target: b64,
    pid: uint,
    /** 1: the guest may be powered off when it does not stop within stopTimeoutS. */
    allowForce: z.union([z.literal(0), z.literal(1)]),
    stopTimeoutS: uint,
  },
  {
    outcome: z.enum(['finished', 'rolled-back', 'untouched', 'unknown', 'settled']).optional(),
    agentAfterS: uint.optional(),
  },
  [
    /** How a long phase goes, in words (e.g. the wait for the guest to stop). */
    z.object({ ev: z.literal('progress'), ...lineBase, phase: z.string(), b64 }),
    /** An overlay this revert created, or (settling an earlier revert `from`) removed or kept. */
    z.object({
      ev: z.literal('overlay'),
      ...lineBase,
      act: z.enum(['created', 'removed', 'kept']),
      b64,
      from: b64.optional(),
    }),
    /** The discarded branch of the revert `from` appended to the domain's branch list. */
    z.object({ ev: z.literal('branch'), ...lineBase, act: z.literal('recorded'), from: b64 }),
    /** The target snapshot made libvirt's current one (b64: its name), or why not. */
    z.object({ ev: z.literal('current'), ...lineBase, act: z.enum(['set', 'failed']), b64 }),
    /** An earlier revert `from` that died half-way, finished or rolled back (`act`) by this one. */
    z.object({ ev: z.literal('settled'), ...lineBase, from: b64, act: z.string() }),
  ],
  // A revert's message is its result line's only: none of its own when the runner was lost.
  null,
);
export const RevertLineSchema = revertJournal.schema;
export type RevertLine = z.infer<typeof RevertLineSchema>;

/** Every whole, valid line of a revert journal; a torn line costs only itself. */
export const readRevertLines = revertJournal.read;

/** A revert's summary from its journal lines. `runnerGone`: no end line, and no runner either. */
export function summarizeRevert(
  opId: string,
  lines: readonly RevertLine[],
  runnerGone: boolean,
): RevertSummary {
  const phases: RevertSummary['phases'] = [];
  let progress: string | null = null;
  const settled: RevertSummary['settled'] = [];
  let mode: RevertSummary['mode'] = null;
  for (const l of lines) {
    if (l.ev === 'start') mode = l.kind;
    else if (l.ev === 'phase') {
      const phase = RevertPhaseSchema.safeParse(l.phase);
      if (phase.success) addPhaseLine(phases, phase.data, l.status, text(l.b64));
    } else if (l.ev === 'progress') progress = text(l.b64) ?? null;
    else if (l.ev === 'settled') settled.push({ opId: text(l.from) ?? '', act: l.act });
  }
  const { result, state, message, failedPhase } = revertJournal.outcome(lines, runnerGone);
  return {
    opId,
    state,
    mode,
    phases,
    progress,
    outcome: result?.outcome ?? null,
    message,
    failedPhase,
    settled,
    agentAfterS: result?.agentAfterS ?? null,
  };
}
