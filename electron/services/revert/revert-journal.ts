import { z } from 'zod';
import { RevertPhaseSchema, type RevertSummary } from '../../../shared/revert';

/**
 * One line of a revert's journal, exactly as host-scripts/revert-runner.sh writes it (free text
 * in base64, so the shell never escapes JSON). Its own schema: revert journals live in their own
 * folder (HOSTDIR/reverts/ops), apart from the snapshot runner's.
 */
const b64 = z.string().regex(/^[A-Za-z0-9+/=]*$/);
const uint = z.number().int().nonnegative();
const base = { op: z.string(), mono: uint, rt: z.number().nonnegative().optional() };

export const RevertLineSchema = z.discriminatedUnion('ev', [
  z.object({
    ev: z.literal('start'),
    ...base,
    kind: z.enum(['revert', 'recover']),
    uuid: z.string(),
    targetKind: z.enum(['snapshot', 'branch', 'none']),
    target: b64,
    pid: uint,
    allowForce: z.union([z.literal(0), z.literal(1)]),
    stopTimeoutS: uint,
    workstation: b64,
    user: b64,
  }),
  z.object({
    ev: z.literal('phase'),
    ...base,
    phase: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    b64: b64.optional(),
  }),
  z.object({ ev: z.literal('progress'), ...base, phase: z.string(), b64 }),
  z.object({
    ev: z.literal('overlay'),
    ...base,
    act: z.enum(['created', 'removed', 'kept']),
    b64,
    from: b64.optional(),
  }),
  z.object({ ev: z.literal('branch'), ...base, act: z.literal('recorded'), from: b64 }),
  z.object({ ev: z.literal('current'), ...base, act: z.enum(['set', 'failed']), b64 }),
  z.object({ ev: z.literal('settled'), ...base, from: b64, act: z.string() }),
  z.object({
    ev: z.literal('result'),
    ...base,
    ok: z.boolean(),
    failedPhase: z.string().optional(),
    b64: b64.optional(),
    outcome: z.enum(['finished', 'rolled-back', 'untouched', 'unknown', 'settled']).optional(),
    agentAfterS: uint.optional(),
  }),
  z.object({ ev: z.literal('end'), ...base }),
]);
export type RevertLine = z.infer<typeof RevertLineSchema>;

const text = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8').trim();

/** Every whole, valid line of a revert journal; a torn line costs only itself. */
export function readRevertLines(journal: string): RevertLine[] {
  const out: RevertLine[] = [];
  for (const line of journal.split('\n')) {
    for (const part of line.split(/(?=\{"ev":)/)) {
      if (!part.trim()) continue;
      try {
        const r = RevertLineSchema.safeParse(JSON.parse(part));
        if (r.success) out.push(r.data);
      } catch {
        /* a torn part */
      }
    }
  }
  return out;
}

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
  let result: (RevertLine & { ev: 'result' }) | undefined;
  let ended = false;
  for (const l of lines) {
    if (l.ev === 'start') mode = l.kind;
    else if (l.ev === 'phase') {
      const phase = RevertPhaseSchema.safeParse(l.phase);
      if (!phase.success) continue;
      const open = phases.findLast((p) => p.phase === phase.data && p.status === 'running');
      const detail = text(l.b64);
      if (open && l.status !== 'running') {
        open.status = l.status;
        if (detail) open.detail = detail;
      } else phases.push({ phase: phase.data, status: l.status, ...(detail ? { detail } : {}) });
    } else if (l.ev === 'progress') progress = text(l.b64) ?? null;
    else if (l.ev === 'settled') settled.push({ opId: text(l.from) ?? '', act: l.act });
    else if (l.ev === 'result') result = l;
    else if (l.ev === 'end') ended = true;
  }
  const state: RevertSummary['state'] = result
    ? result.ok
      ? 'succeeded'
      : 'failed'
    : ended || runnerGone
      ? 'lost'
      : 'running';
  return {
    opId,
    state,
    mode,
    phases,
    progress,
    outcome: result?.outcome ?? null,
    message: text(result?.b64) ?? null,
    failedPhase: result?.failedPhase ?? null,
    settled,
    agentAfterS: result?.agentAfterS ?? null,
  };
}
