import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CliError } from '../../electron/cli/cli-error';
import { EXIT } from '../../electron/cli/exit-codes';
import { operationEvents, pollUntilDone } from '../../electron/cli/follow-operation';
import type { AppEvent } from '../../shared/events';
import { summarize } from '../../shared/operation-model';
import type { OperationEvent } from '../../shared/snapshot';
import { capturedJournal } from '../support/captured-journal';

const HOST = '11111111-2222-4333-8444-555555555555';

/** The services as the follower sees them: events pushed, snapshot.get answered from them. */
function fakeSession(opts: { runnerGone?: () => boolean } = {}) {
  let listener: ((e: AppEvent) => void) | undefined;
  const got: OperationEvent[] = [];
  const session = {
    onEvent: (l: (e: AppEvent) => void) => {
      listener = l;
      return () => (listener = undefined);
    },
    call: vi.fn(async (method: string, input: { opId: string }) => {
      if (method !== 'snapshot.get') throw new Error(method);
      return { events: got, summary: summarize(input.opId, got, opts.runnerGone?.() ?? false) };
    }),
  };
  const push = (opId: string, event: OperationEvent) => {
    got.push(event);
    listener?.({ type: 'operation', hostId: HOST, opId, event });
  };
  const connection = (state: 'reconnecting' | 'connected' | 'failed') =>
    listener?.({
      type: 'connection',
      hostId: HOST,
      state,
      error: { code: 'connect-failed', message: 'link down' },
    });
  return { session, push, connection };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('waiting for a snapshot runner', () => {
  it('hands on every event of its operation in order, and ends with the journal', async () => {
    const { session, push } = fakeSession();
    const ops = operationEvents(session);
    const seen: string[] = [];
    const done = ops.follow(HOST, 'op1', (e) => seen.push(e.kind));
    const journal = capturedJournal('clean');
    push('other', journal[0]!); // another operation's line is not ours
    for (const e of journal) {
      push('op1', e);
      await vi.advanceTimersByTimeAsync(10);
    }
    const summary = await done;
    expect(seen).toEqual(journal.map((e) => e.kind));
    expect(summary.state).toBe('succeeded');
    ops.stop();
  });

  it('stops waiting for a runner that died without ending its journal (lost)', async () => {
    let gone = false;
    const { session, push } = fakeSession({ runnerGone: () => gone });
    const ops = operationEvents(session, { pollMs: 1000 });
    let summary: { state: string } | undefined;
    void ops.follow(HOST, 'op2', () => undefined).then((s) => (summary = s));
    for (const e of capturedJournal('clean').slice(0, 5)) push('op2', e);
    await vi.advanceTimersByTimeAsync(5000);
    expect(summary).toBeUndefined(); // still running: keep waiting
    gone = true;
    await vi.advanceTimersByTimeAsync(1500);
    expect(summary?.state).toBe('lost');
  });

  it('waits out a reconnect, but gives up on a link that stays down (7)', async () => {
    const { session, push, connection } = fakeSession();
    const ops = operationEvents(session, { giveUpAfterMs: 10_000 });
    const outcome = ops
      .follow(HOST, 'op3', () => undefined)
      .then(
        () => 'ended',
        (e: unknown) => e,
      );
    push('op3', capturedJournal('clean')[0]!);
    connection('reconnecting');
    await vi.advanceTimersByTimeAsync(5000);
    connection('connected'); // back: the clock starts again at the next drop
    connection('reconnecting');
    await vi.advanceTimersByTimeAsync(8000);
    let settled: unknown;
    void outcome.then((v) => (settled = v));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(3000);
    const err = await outcome;
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exit).toBe(EXIT.connectFailed);
    expect((err as CliError).shape.remedy).toMatch(/quiesce operations/);
  });

  it('a reconnect the app gave up (a changed host key) ends the wait at once', async () => {
    const { session, connection } = fakeSession();
    const ops = operationEvents(session);
    const outcome = ops.follow(HOST, 'op4', () => undefined).catch((e: unknown) => e);
    connection('failed');
    await vi.advanceTimersByTimeAsync(600);
    expect(((await outcome) as CliError).exit).toBe(EXIT.connectFailed);
  });
});

describe('polling a revert or a restore test', () => {
  const linkDown = new CliError(EXIT.connectFailed, { code: 'not-connected', message: 'down' });

  it('polls until the answer is not running, showing each answer', async () => {
    const answers = ['running', 'running', 'succeeded'].map((state) => ({ state }));
    const shown: string[] = [];
    const done = pollUntilDone(
      async () => answers.shift()!,
      (a) => shown.push(a.state),
    );
    await vi.advanceTimersByTimeAsync(3000);
    expect(await done).toEqual({ state: 'succeeded' });
    expect(shown).toEqual(['running', 'running', 'succeeded']);
  });

  it('waits out a dropped link, but not forever, and not other errors', async () => {
    let calls = 0;
    const flaky = pollUntilDone(
      async () => {
        calls++;
        if (calls <= 3) throw linkDown;
        return { state: 'succeeded' };
      },
      () => undefined,
      { giveUpAfterMs: 10_000 },
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(await flaky).toEqual({ state: 'succeeded' });

    const down = pollUntilDone(
      async () => {
        throw linkDown;
      },
      () => undefined,
      { giveUpAfterMs: 3000 },
    ).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await down).toBe(linkDown);

    const other = new CliError(EXIT.failed, { code: 'host-command-failed', message: 'x' });
    await expect(
      pollUntilDone(
        async () => {
          throw other;
        },
        () => undefined,
      ),
    ).rejects.toBe(other);
  });
});
