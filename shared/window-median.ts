/**
 * When a blocked-write window is far above the same domain's usual one: the rule the schedule's
 * alerts and the snapshot dialog share. Pure and free of the validation library, so the first
 * screen's bundle can use it (docs/ui.md, "Load and measures").
 */

/** A window this far above the domain's median is worth a look (and at least this much longer). */
export const SLOW_WINDOW_FACTOR = 3;
export const SLOW_WINDOW_MIN_EXTRA_MS = 500;
/** Fewer earlier windows than this make no median to compare with. */
export const SLOW_WINDOW_SAMPLES = 5;

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface SlowWindow {
  /** The median of the earlier windows compared with. */
  medianMs: number;
  /** How many earlier windows that median is of. */
  samples: number;
}

/**
 * The median the window is far above — more than SLOW_WINDOW_FACTOR times it and at least
 * SLOW_WINDOW_MIN_EXTRA_MS more — or undefined when it is not, or when fewer than
 * SLOW_WINDOW_SAMPLES earlier windows make no median worth comparing with.
 */
export function slowWindow(windowMs: number, earlier: readonly number[]): SlowWindow | undefined {
  if (earlier.length < SLOW_WINDOW_SAMPLES) return undefined;
  const medianMs = medianOf(earlier);
  const limit = Math.max(medianMs * SLOW_WINDOW_FACTOR, medianMs + SLOW_WINDOW_MIN_EXTRA_MS);
  return windowMs > limit ? { medianMs, samples: earlier.length } : undefined;
}
