import type { OperationState, SnapshotLabel } from '../../shared/snapshot';

/** "Quiesced · 1 filesystem", "Crash-consistent · <reason>", "Offline", "Paused" (docs/ARCHITECTURE.md, "Explicit quiesce policy"). */
export function labelText(label: SnapshotLabel): string {
  switch (label.kind) {
    case 'quiesced':
      return `Quiesced · ${label.filesystems} filesystem${label.filesystems === 1 ? '' : 's'}`;
    case 'crash-consistent':
      return `Crash-consistent · ${label.reason}`;
    case 'offline':
      return 'Offline';
    case 'paused':
      return 'Paused';
    case 'test-freeze':
      return `Test freeze · ${label.filesystems} filesystem${label.filesystems === 1 ? '' : 's'}`;
    case 'checkpoint':
      return 'Full checkpoint · memory and disks';
  }
}

/** The label without its reason, for a table cell; the reason goes in the cell's title. */
export function labelShort(label: SnapshotLabel): string {
  return label.kind === 'crash-consistent' ? 'Crash-consistent' : labelText(label);
}

/** Quiesced is the good outcome; crash-consistent a warning; offline and paused neutral. */
export function labelTone(label: SnapshotLabel): 'ok' | 'warn' | 'off' {
  return label.kind === 'quiesced' ? 'ok' : label.kind === 'crash-consistent' ? 'warn' : 'off';
}

/** A blocked-write window as measured: "143.2 ms" (to the tenth the host gives), "2,310 ms". */
export function formatWindow(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/** Why there is no window: nothing was frozen, and why not. */
export function noWindowText(label: SnapshotLabel | undefined): string {
  switch (label?.kind) {
    case 'offline':
      return 'No freeze: the domain was not running.';
    case 'paused':
      return 'No freeze: the guest was paused and wrote nothing.';
    case 'crash-consistent':
      return 'No freeze: the snapshot was cut while the guest kept writing.';
    default:
      return 'Nothing was frozen.';
  }
}

export const STATE_WORD: Record<OperationState, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  lost: 'Outcome unknown',
};

export const STATE_TONE: Record<OperationState, 'info' | 'ok' | 'bad' | 'warn'> = {
  running: 'info',
  succeeded: 'ok',
  failed: 'bad',
  lost: 'warn',
};

const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/**
 * "today 20:31:07", "yesterday 20:31:07", "3 Jan 20:31:07" before; the host's wall clock, shown
 * in local time, so a list read at a glance says which day without counting.
 */
export function formatWhen(iso: string | undefined, today: Date): string {
  if (!iso) return 'unknown';
  const at = new Date(iso);
  const time = timeFormat.format(at);
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  const day =
    at.toDateString() === today.toDateString()
      ? 'today'
      : at.toDateString() === yesterday.toDateString()
        ? 'yesterday'
        : dayFormat.format(at);
  return `${day} ${time}`;
}

/**
 * What the host-side watchdog did, in words, for an operation whose runner stopped without an
 * outcome (docs/ARCHITECTURE.md, "Never left frozen": the watchdog thaws the guest even when the runner, the app and the
 * link are gone). `watchdog` is main's "what (detail)".
 */
export function watchdogExplanation(watchdog: string | undefined): string {
  if (!watchdog) {
    return 'The journal has no watchdog record: either nothing was frozen yet when the runner stopped, or the watchdog is still waiting for its maximum freeze time. Check the guest’s freeze status with the agent doctor.';
  }
  if (watchdog.startsWith('thawed')) {
    return /domain-stopped/.test(watchdog)
      ? 'The watchdog found the domain no longer running, so nothing stays frozen.'
      : 'The watchdog thawed the guest after the maximum freeze time: its filesystems can be written again.';
  }
  if (watchdog.startsWith('fired')) {
    return 'The watchdog fired after the maximum freeze time and is thawing the guest; it keeps trying until the agent answers.';
  }
  if (watchdog.startsWith('gave-up')) {
    return 'The watchdog gave up after an hour of tries: the guest may still be frozen. Thaw it from the agent doctor or the frozen-guest banner.';
  }
  return `The watchdog says: ${watchdog}.`;
}
