import type { AppEvent } from '../../shared/events';
import type { OperationSummary } from '../../shared/snapshot';
import { CliError } from './cli-error';
import { EXIT } from './exit-codes';
import type { CliSession } from './session';

/**
 * Waits for a snapshot runner (or a test freeze) to end. Its journal lines arrive as `operation`
 * events while the app follows them; between events, `snapshot.get` is asked now and then, so
 * a runner that died (its journal never ends) reads as lost instead of being waited for forever.
 * The runner outlives this command (docs/ARCHITECTURE.md, "The runner outlives the link"): when
 * the link is lost for good, the command stops and says where to find the outcome.
 */
export function operationEvents(session: CliSession) {
  const events: Extract<AppEvent, { type: 'operation' }>[] = [];
  let connectionLost: AppEvent | undefined;
  let wake: (() => void) | undefined;
  const stop = session.onEvent((e) => {
    if (e.type === 'operation') events.push(e);
    else if (e.type === 'connection' && e.state === 'failed') connectionLost = e;
    else return;
    wake?.();
  });

  /** Every event of `opId` as it comes (earlier ones first), until its journal ends. */
  async function follow(
    hostId: string,
    opId: string,
    onEvent: (e: Extract<AppEvent, { type: 'operation' }>['event']) => void,
    pollMs = 3000,
  ): Promise<OperationSummary> {
    let delivered = 0;
    let lastPoll = Date.now();
    try {
      for (;;) {
        const mine = events.filter((e) => e.opId === opId);
        for (const e of mine.slice(delivered)) onEvent(e.event);
        delivered = mine.length;
        if (mine.some((e) => e.event.kind === 'end')) break;
        if (connectionLost?.type === 'connection' && connectionLost.hostId === hostId) {
          throw new CliError(EXIT.connectFailed, {
            code: 'connect-failed',
            message: 'The link to the host was lost while the operation ran.',
            ...(connectionLost.error?.message ? { cause: connectionLost.error.message } : {}),
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

/** Polls an operation the app reads by asking (a revert, a restore test) until it is not running. */
export async function pollUntilDone<T extends { state: string }>(
  get: () => Promise<T>,
  onAnswer: (answer: T) => void,
  intervalMs = 1000,
): Promise<T> {
  for (;;) {
    const answer = await get();
    onAnswer(answer);
    if (answer.state !== 'running') return answer;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
