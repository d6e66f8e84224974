import { z } from 'zod';

/**
 * What every journalled host operation (snapshot, export, revert, restore test) says the same
 * way, whatever its phases: where it stands, how a phase stands, and the rule that reads its
 * state from its journal. Pure.
 */

/** Where an operation stands: `lost` when its runner stopped before recording an outcome. */
export const OperationStateSchema = z.enum(['running', 'succeeded', 'failed', 'lost']);
export type OperationState = z.infer<typeof OperationStateSchema>;

/** A phase's journal line: it opens (`running`) or closes (`done`/`failed`) a run of the phase. */
export const PhaseStatusSchema = z.enum(['running', 'done', 'failed']);
export type PhaseStatus = z.infer<typeof PhaseStatusSchema>;

/** One run of a phase, untimed, with the runner's words about it (e.g. why it failed). */
export function phaseStepSchema<P extends z.ZodType<string>>(phase: P) {
  return z.object({ phase, status: PhaseStatusSchema, detail: z.string().optional() });
}
export interface PhaseStep<P extends string = string> {
  phase: P;
  status: PhaseStatus;
  detail?: string;
}

/**
 * The fields of a summary read from a runner's own journal (export, revert), with its phases:
 * the operation's id, where it stands, its phase runs, the result line's message and, after a
 * failure, the phase that failed (the runner's word, kept as it said it).
 */
export function journalSummaryFields<P extends z.ZodType<string>>(phase: P) {
  return {
    opId: z.string(),
    state: OperationStateSchema,
    phases: z.array(phaseStepSchema(phase)),
    message: z.string().nullable(),
    failedPhase: z.string().nullable(),
  };
}

/**
 * An operation's state from its journal: the result line decides; without one, an end line or a
 * runner no longer alive on the host means the runner stopped before recording an outcome.
 */
export function operationState(
  result: { ok: boolean } | undefined,
  ended: boolean,
  runnerGone: boolean,
): OperationState {
  if (result) return result.ok ? 'succeeded' : 'failed';
  return ended || runnerGone ? 'lost' : 'running';
}

/**
 * What a runner's journal says of its outcome: its result line (the last, should a runner write
 * two) and its state by operationState's rule. Every fold of a journal reads these the same way.
 */
export function journalOutcome<L extends { ev: string }, R extends L & { ok: boolean }>(
  lines: readonly L[],
  runnerGone: boolean,
): { result: R | undefined; state: OperationState } {
  const result = lines.findLast((l) => l.ev === 'result') as R | undefined;
  const ended = lines.some((l) => l.ev === 'end');
  return { result, state: operationState(result, ended, runnerGone) };
}

/**
 * Adds one phase line to the phase runs so far: a `done`/`failed` line closes the phase's open
 * run (keeping the run's detail unless it brings its own); any other line opens a new run.
 */
export function addPhaseLine<P extends string>(
  steps: PhaseStep<P>[],
  phase: P,
  status: PhaseStatus,
  detail: string | undefined,
): void {
  const open = steps.findLast((p) => p.phase === phase && p.status === 'running');
  if (open && status !== 'running') {
    open.status = status;
    if (detail) open.detail = detail;
  } else steps.push({ phase, status, ...(detail ? { detail } : {}) });
}
