const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** "20:31:07": when something was read, to the second, as admins compare it with logs. */
export function formatTime(iso: string | number): string {
  return timeFormat.format(new Date(iso));
}

/** A host-side timing: "38 ms", "7.9 s", or why there is none. */
export function formatMs(ms: number | null): string {
  if (ms === null) return 'not timed';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
