import type { AppEvent } from '../../shared/events';

/** How far each disk's merge has got, from main's `merge-progress` events. */
export type MergeProgress = Record<string, { percent: number; done: boolean }>;

type MergeProgressEvent = Extract<AppEvent, { type: 'merge-progress' }>;

/** One more merge-progress event: a disk's percentage never goes back, and done stays done. */
export function foldMergeProgress(
  prev: MergeProgress | undefined,
  event: MergeProgressEvent,
): MergeProgress {
  const before = prev?.[event.target];
  return {
    ...prev,
    [event.target]: {
      percent: Math.max(before?.percent ?? 0, event.percent),
      done: event.done === true || before?.done === true,
    },
  };
}
