import type { MethodOutput } from '../../shared/contract';
import type { AppEvent } from '../../shared/events';
import type { OperationSummary } from '../../shared/snapshot';
import { CliError } from './cli-error';
import { EXIT } from './exit-codes';

/**
 * Waits for a snapshot runner (or a test freeze) to end. Its journal lines arrive as `operation`
 * events while the app follows them; between events, `snapshot.get` is asked now and then, so
 * a runner that died (its journal never ends) reads as lost instead of being waited for forever.
 * The runner outlives this command (docs/ARCHITECTURE.md, "The runner outlives the link"): when
 * the link is lost for good, the command stops and says where to find the outcome.
 */
/** What the follower needs of a session (CliSession is one). */
export interface OperationSource {
  onEvent(listener: (e: AppEvent) => void): () => void;
  call(
    method: 'snapshot.get',
    input: { hostId: string; opId: string },
  ): Promise<MethodOutput<'snapshot.get'>>;
}

export function operationEvents(
  session: OperationSource,
  opts: { pollMs?: number; giveUpAfterMs?: number } = {},
) {
  const pollMs = opts.pollMs ?? 3000;
  // The app reconnects on its own, with backoff; a link not back after this long is lost for good.
  const giveUpAfterMs = opts.giveUpAfterMs ?? 90_000;
  const events: Extract<AppEvent, { type: 'operation' }>[] = [];
  /** Per host: since when its link is down (reconnecting or failed), with the last error. */
  const down = new Map<string, { since: number; state: string; error?: string }>();
  let wake: (() => void) | undefined;
  const stop = session.onEvent((e) => {
    if (e.type === 'operation') events.push(e);
    else if (e.type === 'connection') {
      if (e.state === 'connected') down.delete(e.hostId);
      else if (e.state === 'reconnecting' || e.state === 'failed')
        down.set(e.hostId, {
          since: down.get(e.hostId)?.since ?? Date.now(),
          state: e.state,
          ...(e.error ? { error: e.error.message } : {}),
        });
    } else return;
    wake?.();
  });

  /** Every event of `opId` as it comes (earlier ones first), until its journal ends. */
  async function follow(
    hostId: string,
    opId: string,
    onEvent: (e: Extract<AppEvent, { type: 'operation' }>['event']) => void,
  ): Promise<OperationSummary> {
    let delivered = 0;
    let lastPoll = Date.now();
    try {
      for (;;) {
        const mine = events.filter((e) => e.opId === opId);
        for (const e of mine.slice(delivered)) onEvent(e.event);
        delivered = mine.length;
        if (mine.some((e) => e.event.kind === 'end')) break;
        const lost = down.get(hostId);
        if (lost && (lost.state === 'failed' || Date.now() - lost.since >= giveUpAfterMs)) {
          throw new CliError(EXIT.connectFailed, {
            code: 'connect-failed',
            message: 'The link to the host was lost while the operation ran.',
            ...(lost.error ? { cause: lost.error } : {}),
            remedy: `The runner goes on without this command; \`quiesce operations\` shows its outcome (operation ${opId}).`,
          });
        }
        if (Date.now() - lastPoll >= pollMs) {
          lastPoll = Date.now();
          const now = await session.call('snapshot.get', { hostId, opId }).catch(() => undefined);
          if (now && now.summary.state !== 'running') break;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(pollMs, 500));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      wake = undefined;
    }
    return (await session.call('snapshot.get', { hostId, opId })).summary;
  }

  return { follow, stop };
}

/**
 * Polls an operation the app reads by asking (a revert, a restore test) until it is not running.
 * A dropped link is waited out while the app reconnects, for as long as `giveUpAfterMs`.
 */
export async function pollUntilDone<T extends { state: string }>(
  get: () => Promise<T>,
  onAnswer: (answer: T) => void,
  opts: { intervalMs?: number; giveUpAfterMs?: number } = {},
): Promise<T> {
  const intervalMs = opts.intervalMs ?? 1000;
  const giveUpAfterMs = opts.giveUpAfterMs ?? 90_000;
  let failingSince: number | undefined;
  for (;;) {
    let answer: T | undefined;
    try {
      answer = await get();
      failingSince = undefined;
    } catch (err) {
      const linkDown = err instanceof CliError && err.exit === EXIT.connectFailed;
      failingSince ??= Date.now();
      if (!linkDown || Date.now() - failingSince >= giveUpAfterMs) throw err;
    }
    if (answer) {
      onAnswer(answer);
      if (answer.state !== 'running') return answer;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
