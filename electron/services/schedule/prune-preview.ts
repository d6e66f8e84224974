import { ScheduleIdSchema, type Retention } from '../../../shared/schedule/policy';
import {
  prunePlan,
  ProtectionSchema,
  type Protection,
  type PruneCandidate,
  type PrunePlan,
} from '../../../shared/schedule/prune-plan';
import { AppError } from '../app-error';
import { shellCommand } from '../shell/quote';
import { hostFailure, schedulesDir, type Exec } from './schedule-scripts';

/** `job.sh candidates UUID` → the candidates and what protects some of them. Pure. */
export function parseCandidates(out: string): {
  candidates: PruneCandidate[];
  protectedNames: Map<string, Protection>;
} {
  const candidates: PruneCandidate[] = [];
  const protectedNames = new Map<string, Protection>();
  for (const line of out.split('\n')) {
    const f = line.split('\t');
    if (f.length < 7) continue;
    const [created, name, hour, day, week, month, prot] = f as [string, ...string[]];
    candidates.push({
      name: name!,
      created: Number(created),
      hour: hour!,
      day: day!,
      week: week!,
      month: month!,
    });
    const p = ProtectionSchema.safeParse(prot);
    if (p.success) protectedNames.set(name!, p.data);
  }
  return { candidates, protectedNames };
}

function jobPath(hostDir: string, id: string): string {
  return `${schedulesDir(hostDir)}/${ScheduleIdSchema.parse(id)}/job.sh`;
}

/**
 * What the host's prune would keep and delete for this schedule on this domain now: the host
 * lists the candidates (the schedule's own snapshots, their periods in its time zone, which are
 * protected) through the installed job itself, and the plan is shared/schedule/prune-plan.ts,
 * which the host's awk is held to (test/unit/schedule-prune-agree.test.ts). `retention` lets the
 * editor preview rules not saved yet.
 */
export async function previewPrune(
  conn: Exec,
  hostDir: string,
  id: string,
  uuid: string,
  retention: Retention,
): Promise<PrunePlan & { candidates: PruneCandidate[] }> {
  const r = await conn.exec(shellCommand(['sh', jobPath(hostDir, id), 'candidates', uuid]), {
    timeoutMs: 120_000,
  });
  if (r.code === 127 || /No such file/.test(r.stderr)) {
    throw new AppError('not-found', `The schedule “${id}” is not installed on this host.`);
  }
  if (r.code !== 0) throw hostFailure('The snapshots to prune could not be listed on the host.', r);
  const { candidates, protectedNames } = parseCandidates(r.stdout);
  return { ...prunePlan(candidates, retention, protectedNames), candidates };
}

/** Runs the installed job now, detached from this SSH session: `run` (snapshot and prune) or `prune`. */
export async function startJob(
  conn: Exec,
  hostDir: string,
  id: string,
  mode: 'run' | 'prune',
): Promise<void> {
  const path = jobPath(hostDir, id);
  const r = await conn.exec(
    shellCommand([
      'sh',
      '-c',
      '[ -f "$1" ] || { echo "not installed" >&2; exit 3; }; ' +
        'if command -v setsid >/dev/null 2>&1; then setsid sh "$1" "$2" </dev/null >>"${1%/job.sh}/job.log" 2>&1 & ' +
        'else nohup sh "$1" "$2" </dev/null >>"${1%/job.sh}/job.log" 2>&1 & fi',
      'sh',
      path,
      mode,
    ]),
    { timeoutMs: 30_000 },
  );
  if (r.code === 3)
    throw new AppError('not-found', `The schedule “${id}” is not installed on this host.`);
  if (r.code !== 0) throw hostFailure(`The schedule “${id}” could not be started.`, r);
}

/** Runs the installed job and waits for it to end (the CLI, the tests): its exit status and log. */
export async function runJobAndWait(
  conn: Exec,
  hostDir: string,
  id: string,
  mode: 'run' | 'prune',
  timeoutMs = 600_000,
): Promise<{ code: number | null; output: string }> {
  const r = await conn.exec(shellCommand(['sh', jobPath(hostDir, id), mode]), { timeoutMs });
  return { code: r.code, output: (r.stdout + r.stderr).trim() };
}
