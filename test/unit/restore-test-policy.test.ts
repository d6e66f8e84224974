import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../shared/events';
import type { RestoreTestResult } from '../../shared/restore-test';
import type { OperationEvent } from '../../shared/snapshot';
import {
  RestoreTestPolicy,
  restoreTestDue,
  type RestoreTestPolicyDeps,
} from '../../electron/services/revert/restore-test-policy';
import { DomainDefaults } from '../../electron/services/snapshot/domain-defaults';
import { createDispatcher } from '../../electron/services/dispatch';
import { createQuiesceService } from '../../electron/services/quiesce-service';
import { operationNotice } from '../../electron/shell/operation-notice';
import { validateSnapshot } from '../../renderer/snapshot/snapshot-draft';

const HOST = '0b9d6c1e-2f4a-4c8e-9a1b-3d5e7f901234';
const UUID = '6b0f2b36-9f2e-4b7e-8a53-2c5f0d6f1a11';

/** A snapshot run's journal as events: started, then its result and end. */
function run(
  snapshot: string,
  result: Partial<OperationEvent & { kind: 'result' }> | null,
  opts: { operation?: 'snapshot' | 'test-freeze'; end?: boolean; uuid?: string } = {},
): OperationEvent[] {
  const events: OperationEvent[] = [
    {
      kind: 'started',
      operation: opts.operation ?? 'snapshot',
      uuid: opts.uuid ?? UUID,
      snapshot,
      policy: 'require',
      maxFreezeS: 10,
      workstation: 'ws',
      user: 'u',
      pid: 4242,
      at: 1,
    },
  ];
  if (result) events.push({ kind: 'result', ok: true, at: 2, ...result } as OperationEvent);
  if (opts.end !== false) events.push({ kind: 'end', at: 3 });
  return events;
}

describe('when a snapshot calls for a restore test (pure)', () => {
  it('a snapshot that succeeded: its name, domain and runner', () => {
    expect(restoreTestDue(run('s1', { label: 'quiesced', snapshotTaken: true }))).toEqual({
      due: true,
      snapshot: 's1',
      uuid: UUID,
      pid: 4242,
    });
  });

  it('not before the end, nor for a failure, a test freeze or a snapshot not taken', () => {
    expect(restoreTestDue(run('s', { label: 'quiesced' }, { end: false }))).toMatchObject({
      due: false,
      why: 'not ended',
    });
    // require, and the snapshot was taken unquiesced: it failed, so no test of it
    expect(restoreTestDue(run('s', { ok: false, snapshotTaken: true }))).toMatchObject({
      due: false,
      why: 'the snapshot failed',
    });
    expect(restoreTestDue(run('s', null))).toMatchObject({ due: false });
    expect(
      restoreTestDue(run('test-freeze', { label: 'test-freeze' }, { operation: 'test-freeze' })),
    ).toMatchObject({ due: false, why: 'not a snapshot' });
    expect(restoreTestDue(run('s', { snapshotTaken: false }))).toMatchObject({ due: false });
    expect(restoreTestDue([{ kind: 'end', at: 1 }])).toMatchObject({ due: false });
  });
});

const result = (opId: string, over: Partial<RestoreTestResult> = {}): RestoreTestResult => ({
  opId,
  snapshot: 's',
  startedAt: null,
  state: 'succeeded',
  clone: 'c',
  phases: [],
  restorable: true,
  bootS: 4,
  filesystems: [],
  recovery: false,
  evidence: '',
  message: null,
  cloneGone: true,
  ...over,
});

/** A fake host: restore tests run for `polls` reads, then end with `outcome`. */
function fakeHost(
  opts: { polls?: number; outcome?: (snapshot: string) => Partial<RestoreTestResult> } = {},
) {
  const log: string[] = [];
  const emitted: AppEvent[] = [];
  let connected = true;
  let running = 0;
  let maxRunning = 0;
  const tests = new Map<string, { snapshot: string; reads: number }>();
  let failStart: Error | undefined;
  let runnerLives = false;
  let n = 0;
  const deps: RestoreTestPolicyDeps = {
    emit: (e) => emitted.push(e),
    pollMs: 1,
    isConnected: () => connected,
    runnerGone: async (_h, pid) => {
      log.push(`wait-runner ${pid}`);
      if (!connected) throw new Error('link down');
      return !runnerLives;
    },
    start: async (hostId, uuid, snapshot) => {
      if (!connected) throw new Error('link down');
      if (failStart) throw failStart;
      const opId = `rt${++n}`;
      log.push(`start ${hostId} ${uuid} ${snapshot} ${opId}`);
      tests.set(opId, { snapshot, reads: 0 });
      running++;
      maxRunning = Math.max(maxRunning, running);
      return { opId };
    },
    get: async (_h, opId) => {
      if (!connected) throw new Error('link down');
      const t = tests.get(opId)!;
      if (++t.reads < (opts.polls ?? 3))
        return result(opId, { state: 'running', restorable: null });
      if (t.reads === (opts.polls ?? 3)) {
        running--;
        log.push(`ended ${opId}`);
      }
      return result(opId, { snapshot: t.snapshot, ...opts.outcome?.(t.snapshot) });
    },
  };
  return {
    deps,
    log,
    emitted,
    get maxRunning() {
      return maxRunning;
    },
    setConnected: (v: boolean) => (connected = v),
    failStartWith: (e: Error | undefined) => (failStart = e),
    runnerLives: (v: boolean) => (runnerLives = v),
  };
}

/** Feeds a run's events to the policy as the services emit them. */
function feed(policy: RestoreTestPolicy, opId: string, events: OperationEvent[], hostId = HOST) {
  for (const event of events) policy.onEvent({ type: 'operation', hostId, opId, event });
}

const policyEvents = (emitted: AppEvent[]) =>
  emitted.flatMap((e) =>
    e.type === 'restore-test' ? [`${e.state} ${e.snapshot} ${e.opId} ${e.restorable}`] : [],
  );

describe('the restore-test policy, wired to a fake host', () => {
  it('tests a watched snapshot once its runner is gone, and says how it ended', async () => {
    const h = fakeHost();
    const policy = new RestoreTestPolicy(h.deps);
    policy.watch(HOST, 'op1');
    feed(policy, 'op1', run('s1', { label: 'quiesced', snapshotTaken: true }));
    await policy.idle();
    expect(h.log).toEqual(['wait-runner 4242', `start ${HOST} ${UUID} s1 rt1`, 'ended rt1']);
    expect(policyEvents(h.emitted)).toEqual(['started s1 rt1 null', 'ended s1 rt1 true']);
    expect(policy.pending()).toEqual([]);
  });

  it('leaves unwatched operations, failures and test freezes alone', async () => {
    const h = fakeHost();
    const policy = new RestoreTestPolicy(h.deps);
    feed(policy, 'op-unwatched', run('s0', { label: 'quiesced' }));
    policy.watch(HOST, 'op-failed');
    feed(policy, 'op-failed', run('s1', { ok: false, snapshotTaken: false }));
    policy.watch(HOST, 'op-tf');
    feed(policy, 'op-tf', run('tf', { label: 'test-freeze' }, { operation: 'test-freeze' }));
    // the same operation's end delivered again (a reattach) starts nothing more
    feed(policy, 'op-failed', [{ kind: 'end', at: 9 }]);
    await policy.idle();
    expect(h.log).toEqual([]);
    expect(h.emitted).toEqual([]);
  });

  it('one test at a time per domain, in the order the snapshots ended; domains side by side', async () => {
    const h = fakeHost({ polls: 4 });
    const policy = new RestoreTestPolicy(h.deps);
    const other = '7c1f3c47-0a3f-4c8f-9b64-3d6a1e7a2b22';
    for (const [op, snap, uuid] of [
      ['a', 's1', UUID],
      ['b', 's2', UUID],
      ['c', 'x1', other],
    ] as const) {
      policy.watch(HOST, op);
      feed(policy, op, run(snap, { label: 'quiesced' }, { uuid }));
    }
    await policy.idle();
    const mine = h.log.filter(
      (l) => !l.startsWith('wait') && !l.includes('x1') && l !== 'ended rt2',
    );
    // s2's test starts only after s1's ended
    expect(mine).toEqual([
      `start ${HOST} ${UUID} s1 rt1`,
      'ended rt1',
      `start ${HOST} ${UUID} s2 rt3`,
      'ended rt3',
    ]);
    expect(h.log).toContain(`start ${HOST} ${other} x1 rt2`);
    expect(h.maxRunning).toBe(2); // the two domains ran side by side, never two of one domain
  });

  it('an unrestorable snapshot, a test that could not start or whose runner stayed: said, never dropped', async () => {
    const h = fakeHost({
      polls: 1,
      outcome: (s) =>
        s === 'bad'
          ? { state: 'failed', restorable: false, message: 'the agent did not answer' }
          : {},
    });
    const policy = new RestoreTestPolicy(h.deps);
    policy.watch(HOST, 'op1');
    feed(policy, 'op1', run('bad', { label: 'quiesced' }));
    await policy.idle();
    h.failStartWith(new Error('libvirt does not know that snapshot'));
    policy.watch(HOST, 'op2');
    feed(policy, 'op2', run('gone', { label: 'quiesced' }));
    await policy.idle();
    h.failStartWith(undefined);
    h.runnerLives(true);
    policy.watch(HOST, 'op3');
    feed(policy, 'op3', run('held', { label: 'quiesced' }));
    await policy.idle();
    const said = h.emitted.filter((e) => e.type === 'restore-test');
    expect(said).toEqual([
      expect.objectContaining({ state: 'started', snapshot: 'bad' }),
      expect.objectContaining({
        state: 'ended',
        snapshot: 'bad',
        restorable: false,
        message: 'the agent did not answer',
      }),
      expect.objectContaining({
        state: 'not-started',
        snapshot: 'gone',
        message: 'libvirt does not know that snapshot',
      }),
      expect.objectContaining({ state: 'not-started', snapshot: 'held', opId: null }),
    ]);
    // the desktop shell notifies each of the three; a restorable ending needs no look
    expect(said.map((e) => operationNotice(e)?.title)).toEqual([
      undefined,
      'Snapshot bad not shown restorable',
      'Restore test of gone did not start',
      'Restore test of held did not start',
    ]);
  });

  it('disconnected: nothing is lost, the test starts (or is read back) once the host is back', async () => {
    const h = fakeHost({ polls: 2 });
    const policy = new RestoreTestPolicy(h.deps);
    policy.watch(HOST, 'op1');
    h.setConnected(false);
    // the end arrives while the link is down (as reattach delivers what was missed, or it raced)
    feed(policy, 'op1', run('s1', { label: 'quiesced' }));
    await policy.idle();
    expect(h.log).toEqual([]);
    expect(policy.pending()).toEqual([{ hostId: HOST, uuid: UUID, snapshot: 's1', opId: null }]);
    h.setConnected(true);
    policy.onConnected(HOST);
    await policy.idle();
    expect(h.log).toEqual(['wait-runner 4242', `start ${HOST} ${UUID} s1 rt1`, 'ended rt1']);
    expect(policy.pending()).toEqual([]);
  });

  it('a link lost while the test runs: read back after the reconnect, never started twice', async () => {
    const h = fakeHost({ polls: 3 });
    const deps = { ...h.deps };
    let reads = 0;
    deps.get = async (hostId, opId) => {
      if (++reads === 2) h.setConnected(false);
      return h.deps.get(hostId, opId);
    };
    const policy = new RestoreTestPolicy(deps);
    policy.watch(HOST, 'op1');
    feed(policy, 'op1', run('s1', { label: 'quiesced' }));
    await policy.idle();
    expect(policy.pending()).toEqual([{ hostId: HOST, uuid: UUID, snapshot: 's1', opId: 'rt1' }]);
    h.setConnected(true);
    policy.onConnected(HOST);
    await policy.idle();
    expect(h.log.filter((l) => l.startsWith('start'))).toHaveLength(1);
    expect(policyEvents(h.emitted)).toEqual(['started s1 rt1 null', 'ended s1 rt1 true']);
  });
});

describe('the domain’s choice, remembered', () => {
  it('is off unless asked; a file from before the choice reads off; kept when not given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-policy-'));
    const d = new DomainDefaults(dir, async () => ({ policy: 'require', maxFreezeS: 10 }));
    expect(await d.get(HOST, UUID)).toMatchObject({ remembered: false, testRestore: false });
    await d.set(HOST, UUID, { policy: 'require', maxFreezeS: 10, testRestore: true });
    expect(await d.get(HOST, UUID)).toMatchObject({ remembered: true, testRestore: true });
    await d.set(HOST, UUID, { policy: 'allow-crash-consistent', maxFreezeS: 20 });
    expect(await d.get(HOST, UUID)).toEqual({
      policy: 'allow-crash-consistent',
      maxFreezeS: 20,
      remembered: true,
      testRestore: true,
    });
    await d.set(HOST, UUID, { policy: 'require', maxFreezeS: 20, testRestore: false });
    expect((await d.get(HOST, UUID)).testRestore).toBe(false);

    const old = mkdtempSync(join(tmpdir(), 'quiesce-policy-'));
    writeFileSync(
      join(old, 'snapshot-defaults.json'),
      JSON.stringify({
        version: 1,
        domains: { [`${HOST}/${UUID}`]: { policy: 'require', maxFreezeS: 9 } },
      }),
    );
    const o = new DomainDefaults(old, async () => ({ policy: 'require', maxFreezeS: 10 }));
    expect(await o.get(HOST, UUID)).toEqual({
      policy: 'require',
      maxFreezeS: 9,
      remembered: true,
      testRestore: false,
    });
  });

  it('the dialog sends its checkbox as snapshot.start’s testRestore, ticked or not', () => {
    const fields = { name: 's', description: '', policy: 'require' as const, maxFreeze: '10' };
    const target = { hostId: HOST, uuid: UUID };
    const on = validateSnapshot({ ...fields, remember: true, testRestore: true }, target);
    expect('input' in on && on.input).toMatchObject({ remember: true, testRestore: true });
    // unticked is said too: the dialog showed the domain's choice, and the admin turned it off
    const off = validateSnapshot({ ...fields, remember: false, testRestore: false }, target);
    expect('input' in off && off.input).toMatchObject({ testRestore: false });
  });

  it('goes through the contract: snapshot.setDefaults and snapshot.defaults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-policy-'));
    const service = createQuiesceService({ dataDir: dir, knownHostsPath: '/kh', emit: () => {} });
    const dispatch = createDispatcher(service.handlers);
    const domain = { hostId: HOST, uuid: UUID };
    expect(await dispatch('snapshot.defaults', domain)).toMatchObject({
      ok: true,
      value: { testRestore: false },
    });
    await dispatch('snapshot.setDefaults', {
      ...domain,
      policy: 'require',
      maxFreezeS: 10,
      testRestore: true,
    });
    expect(await dispatch('snapshot.defaults', domain)).toMatchObject({
      ok: true,
      value: { remembered: true, testRestore: true },
    });
    // snapshot.start takes it too (validated before any host is asked)
    const bad = await dispatch('snapshot.start', { ...domain, name: 's', testRestore: 'yes' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    service.dispose();
  });
});
