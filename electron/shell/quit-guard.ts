import type { RunningOperation } from './running-operations';

export interface QuitQuestion {
  message: string;
  detail: string;
  buttons: [quit: string, stay: string];
}

function describe(op: RunningOperation): string {
  if (op.operation === 'test-freeze') return 'a test freeze';
  return op.snapshot ? `the snapshot “${op.snapshot}”` : 'a snapshot';
}

/**
 * What quitting while operations run means: nothing stops, the host keeps the guest safe (the
 * runner thaws it, and its watchdog does after the maximum freeze even if the runner dies), and
 * the app picks the operation up again when it next connects (docs/ARCHITECTURE.md).
 */
export function quitQuestion(running: readonly RunningOperation[]): QuitQuestion {
  const what = running.length === 1 ? describe(running[0]!) : `${running.length} operations`;
  const longest = Math.max(0, ...running.map((op) => op.maxFreezeS ?? 0));
  const watchdog =
    longest > 0
      ? `the host’s watchdog thaws the guest after ${longest} s at most`
      : 'the host’s watchdog thaws the guest after its maximum freeze';
  return {
    message: `Quit while ${what} ${running.length === 1 ? 'is' : 'are'} running?`,
    detail:
      `Quitting does not stop ${running.length === 1 ? 'it' : 'them'}: the operation runs on the host, ` +
      `which keeps the guest safe. The runner thaws the guest itself, and ${watchdog} even if ` +
      `the runner, Quiesce or the link die.\n\nWhen Quiesce starts again and connects to the ` +
      `host, it reattaches to the operation and shows how it ended.`,
    buttons: ['Quit', 'Keep Quiesce open'],
  };
}

/**
 * Asks before the app quits (or its last window closes) while operations run. `ask` answers
 * whether to quit; the guard then lets the next quit through, so the question comes once.
 */
export function createQuitGuard(opts: {
  running: () => readonly RunningOperation[];
  ask: (question: QuitQuestion) => Promise<boolean>;
  quit: () => void;
}) {
  let allowed = false;
  let asking = false;
  return {
    /** For `before-quit` and a window's `close`: cancels the event while it asks. */
    intercept(event: { preventDefault: () => void }): void {
      if (allowed) return;
      const running = opts.running();
      if (running.length === 0) return;
      event.preventDefault();
      if (asking) return;
      asking = true;
      void opts
        .ask(quitQuestion(running))
        .catch(() => false)
        .then((quit) => {
          asking = false;
          if (!quit) return;
          allowed = true;
          opts.quit();
        });
    },
  };
}
