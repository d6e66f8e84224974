import type { MethodOutput } from '../../shared/contract';
import { describeWhen, localTime, type HostTimeZone } from '../../shared/schedule/next-run';
import type { ScheduleListingAnswer } from '../../shared/schedule/results';
import { table } from './format';

/** What `quiesce schedule …` prints for people. Pure. */

/** The host's zone as the listing tells it: its IANA name, else `date +%z`'s offset. */
export function hostZone(host: ScheduleListingAnswer['host']): HostTimeZone {
  if (host.timeZone) return { name: host.timeZone };
  const m = /^([+-])(\d\d)(\d\d)$/.exec(host.offset);
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return { offsetMinutes: minutes };
}

/** An instant as the host's wall clock shows it: `2026-12-01 03:00`. */
export function hostTime(epochMs: number, tz: HostTimeZone): string {
  const t = localTime(epochMs, tz);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}`;
}

export function scheduleListingText(l: ScheduleListingAnswer): string {
  const tz = hostZone(l.host);
  const zone = l.host.timeZone || `UTC${l.host.offset}`;
  const rows = l.schedules.map((x) => {
    const last = x.runs[0];
    return [
      x.schedule.id,
      x.schedule.target.kind === 'domain' ? x.schedule.target.uuid : 'every ready agent',
      describeWhen(x.schedule.when),
      x.installed,
      x.running ? 'running now' : x.nextRun === null ? '—' : hostTime(x.nextRun, tz),
      last ? `${last.status} ${hostTime(last.end * 1000, tz)}` : '—',
    ];
  });
  const out = [
    `${l.host.user} on this host: ${[
      l.host.crontab ? 'crontab' : 'no crontab',
      l.host.systemdUser ? 'systemd user timers' : 'no systemd user session',
      l.host.systemdUser ? (l.host.linger ? 'lingering on' : 'lingering OFF') : '',
    ]
      .filter(Boolean)
      .join(', ')}; times in ${zone}`,
    l.schedules.length === 0
      ? 'No schedules.'
      : table([['ID', 'TARGET', 'WHEN', 'INSTALLED', 'NEXT RUN', 'LAST RUN'], ...rows]),
  ];
  for (const u of l.unreadable) out.push(`unreadable schedule ${u.id}: ${u.why}`);
  if (l.host.hook) out.push(`failure hook: ${l.host.hook}`);
  if (l.alerts.length > 0) {
    out.push(`${l.alerts.length} failure${l.alerts.length === 1 ? '' : 's'} not seen yet:`);
    for (const a of l.alerts) {
      out.push(`  ${a.schedule} ${hostTime(a.run.end * 1000, tz)}: ${a.message}`);
      out.push(`    what to do: ${a.remedy}`);
    }
  }
  return out.join('\n');
}

export function prunePlanText(p: MethodOutput<'schedule.previewPrune'>): string {
  const when = (s: number) => new Date(s * 1000).toISOString().replace(/\.000Z$/, 'Z');
  return [
    p.keep.length === 0 && p.delete.length === 0 ? 'The schedule has no snapshots here.' : '',
    ...p.keep.map((k) => `keep    ${k.name}  ${when(k.created)}  (${k.reasons.join(', ')})`),
    ...p.delete.map((d) => `delete  ${d.name}  ${when(d.created)}`),
  ]
    .filter(Boolean)
    .join('\n');
}
