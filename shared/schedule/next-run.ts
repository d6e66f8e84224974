import type { When } from './policy';

/**
 * A host's time zone: an IANA name ("Europe/Paris") when the host says which, else its fixed UTC
 * offset in minutes as `date +%z` gives it (then summer time is not foreseen).
 */
export type HostTimeZone = { name: string } | { offsetMinutes: number };

export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(name: string): Intl.DateTimeFormat {
  let f = formatters.get(name);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(name, f);
  }
  return f;
}

/** The wall-clock time on the host at an instant. */
export function localTime(epochMs: number, tz: HostTimeZone): LocalTime {
  if ('offsetMinutes' in tz) {
    const d = new Date(epochMs + tz.offsetMinutes * 60_000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(tz.name).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

function offsetAt(epochMs: number, tz: HostTimeZone): number {
  const l = localTime(epochMs, tz);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant a wall-clock time names on the host. A time skipped by a summer-time change maps
 * to the instant an hour later, as the clock shows it after the change.
 */
export function instantOf(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  tz: HostTimeZone,
): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  let t = asUtc - offsetAt(asUtc, tz);
  t = asUtc - offsetAt(t, tz);
  return t;
}

/** The wall-clock times a rule fires on one day, earliest first, as [hour, minute]. */
function timesOn(when: When, weekday: number): [number, number][] {
  const hm = (at: string): [number, number] => [Number(at.slice(0, 2)), Number(at.slice(3, 5))];
  switch (when.kind) {
    case 'every-hours': {
      const out: [number, number][] = [];
      for (let h = 0; h < 24; h += when.hours) out.push([h, when.minute]);
      return out;
    }
    case 'daily':
      return [hm(when.at)];
    case 'weekly':
      return when.days.includes(weekday) ? [hm(when.at)] : [];
  }
}

/** The next time a schedule fires strictly after `afterMs`, in epoch ms. */
export function nextRun(when: When, afterMs: number, tz: HostTimeZone): number {
  const today = localTime(afterMs, tz);
  for (let i = 0; i <= 8; i++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    const [y, mo, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    for (const [h, mi] of timesOn(when, day.getUTCDay())) {
      const t = instantOf(y, mo, d, h, mi, tz);
      if (t > afterMs) return t;
    }
  }
  throw new Error('a schedule that never fires'); // the schema allows none
}

/** In words, for the editor and the CLI: "every 6 hours at :15", "weekdays at 03:00". */
export function describeWhen(when: When): string {
  const names = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  switch (when.kind) {
    case 'every-hours':
      return when.hours === 1
        ? `every hour at :${String(when.minute).padStart(2, '0')}`
        : `every ${when.hours} hours at :${String(when.minute).padStart(2, '0')}`;
    case 'daily':
      return `daily at ${when.at}`;
    case 'weekly':
      return `${when.days.map((d) => names[d]).join(', ')} at ${when.at}`;
  }
}

/** The crontab time fields (minute hour day month weekday), local time. */
export function cronFields(when: When): string {
  switch (when.kind) {
    case 'every-hours':
      return `${when.minute} ${when.hours === 1 ? '*' : `*/${when.hours}`} * * *`;
    case 'daily':
      return `${Number(when.at.slice(3))} ${Number(when.at.slice(0, 2))} * * *`;
    case 'weekly':
      return `${Number(when.at.slice(3))} ${Number(when.at.slice(0, 2))} * * ${when.days.join(',')}`;
  }
}

/** systemd's OnCalendar= for the same times (systemd.time(7)), local time. */
export function onCalendar(when: When): string {
  const mm = (m: number) => String(m).padStart(2, '0');
  switch (when.kind) {
    case 'every-hours':
      return `*-*-* 00/${when.hours}:${mm(when.minute)}:00`;
    case 'daily':
      return `*-*-* ${when.at}:00`;
    case 'weekly': {
      const names = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
      return `${when.days.map((d) => names[d]).join(',')} *-*-* ${when.at}:00`;
    }
  }
}

/** The host's time zone as the listing gives it: its IANA name if Node knows it, else the offset. */
export function hostTimeZone(tz: string, offset: string): HostTimeZone {
  if (tz) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return { name: tz };
    } catch {
      /* unknown to this Node: the offset */
    }
  }
  const m = /^([+-])(\d\d)(\d\d)$/.exec(offset);
  return { offsetMinutes: m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0 };
}
