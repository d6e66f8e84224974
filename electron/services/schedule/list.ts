import listScript from '../host-scripts/schedule-list.sh?raw';
import { ScheduleSchema } from '../../../shared/schedule/policy';
import { hostTimeZone, nextRun } from '../../../shared/schedule/next-run';

export { hostTimeZone };
import {
  ScheduleRunSchema,
  type HostScheduling,
  type ScheduleOnHost,
  type ScheduleRun,
} from '../../../shared/schedule/results';
import { shellCommand } from '../shell/quote';
import { hostFailure, type Exec } from './schedule-scripts';

export interface ScheduleListing {
  host: HostScheduling;
  schedules: ScheduleOnHost[];
  /** Schedules whose folder could not be read (a half-written one, a newer app's format). */
  unreadable: { id: string; why: string }[];
}

const decode = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** One results.jsonl line → a run (free text decoded); undefined when it is not one. Pure. */
export function parseRunLine(line: string): ScheduleRun | undefined {
  try {
    const raw = JSON.parse(line) as Record<string, unknown>;
    const r = ScheduleRunSchema.safeParse({
      ...raw,
      error: decode(String(raw.error ?? '')),
      pruneError: decode(String(raw.pruneError ?? '')),
      pruned: Array.isArray(raw.pruned) ? raw.pruned.map((n) => decode(String(n))) : [],
    });
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** schedule-list.sh's output → the host's schedules with their next run and runs. Pure. */
export function parseScheduleListing(out: string): ScheduleListing {
  const sections: { head: string; lines: string[] }[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('@@')) sections.push({ head: line.slice(2), lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  const kv = (lines: string[]) =>
    new Map(
      lines
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  const h = kv(sections.find((s) => s.head === 'host')?.lines ?? []);
  const host: HostScheduling = {
    now: Number(h.get('now') ?? 0) * 1000,
    timeZone: h.get('tz') ?? '',
    offset: h.get('offset') ?? '+0000',
    user: h.get('user') ?? '',
    crontab: h.get('crontab') === 'yes',
    systemdUser: h.get('systemd') === 'yes',
    linger: h.get('linger') === 'yes',
    hook: decode(h.get('hook') ?? ''),
    // the app writes whole seconds there; anything else (a hand edit) reads as never seen, not
    // as a listing the contract refuses whole
    seen: wholeSecondsOrZero(h.get('seen')),
  };
  const tz = hostTimeZone(host.timeZone, host.offset);
  const schedules: ScheduleOnHost[] = [];
  const unreadable: ScheduleListing['unreadable'] = [];
  for (const s of sections.filter((x) => x.head.startsWith('schedule '))) {
    const id = s.head.slice('schedule '.length);
    const meta = kv(s.lines);
    const json = sections.find((x) => x.head === `json ${id}`)?.lines.join('\n') ?? '';
    const results = sections.find((x) => x.head === `results ${id}`)?.lines ?? [];
    let schedule;
    try {
      schedule = ScheduleSchema.parse(JSON.parse(json));
    } catch (e) {
      unreadable.push({ id, why: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const installed =
      (['cron', 'systemd', 'systemd-off'] as const).find((m) => m === meta.get('installed')) ??
      'none';
    schedules.push({
      schedule,
      installed,
      running: meta.get('running') === 'yes',
      nextRun:
        installed === 'cron' || installed === 'systemd'
          ? nextRun(schedule.when, host.now, tz)
          : null,
      runs: results
        .map(parseRunLine)
        .filter((r): r is ScheduleRun => r !== undefined)
        .reverse(),
    });
  }
  return { host, schedules, unreadable };
}

/** The host's schedules, read in one exec. */
export async function listSchedules(conn: Exec, hostDir: string): Promise<ScheduleListing> {
  const r = await conn.exec(shellCommand(['sh', '-c', listScript, 'sh', hostDir]), {
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw hostFailure('The schedules could not be read on the host.', r);
  return parseScheduleListing(r.stdout);
}

function wholeSecondsOrZero(text: string | undefined): number {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
