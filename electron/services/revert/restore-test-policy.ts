import type { AppEvent } from '../../../shared/events';
import type { RestoreTestResult } from '../../../shared/restore-test';
import type { OperationEvent } from '../../../shared/snapshot';
import { shellCommand } from '../shell/quote';
import type { SshConnection } from '../ssh/ssh-connection';

/**
 * Whether a snapshot operation's journal, once it ended, calls for the domain's "test restore
 * after each snapshot": only a snapshot (not a test freeze) whose run succeeded, i.e. libvirt
 * made it and the label is what the policy allowed. Pure.
 */
export function restoreTestDue(
  events: readonly OperationEvent[],
):
  | { due: true; snapshot: string; uuid: string; pid: number | undefined }
  | { due: false; why: string } {
  const started = events.find((e) => e.kind === 'started');
  const result = events.findLast((e) => e.kind === 'result');
  if (!events.some((e) => e.kind === 'end')) return { due: false, why: 'not ended' };
  if (started?.kind !== 'started') return { due: false, why: 'no start line' };
  if (started.operation !== 'snapshot') return { due: false, why: 'not a snapshot' };
  if (result?.kind !== 'result' || !result.ok) return { due: false, why: 'the snapshot failed' };
  if (result.snapshotTaken === false) return { due: false, why: 'no snapshot was taken' };
  return { due: true, snapshot: started.snapshot, uuid: started.uuid, pid: started.pid };
}

/** What the policy needs from the services: the host's connection and the restore tests. */
export interface RestoreTestPolicyDeps {
  emit: (event: AppEvent) => void;
  /** "Test restore" itself (RestoreTests.start over the host's live connection). */
  start: (hostId: string, uuid: string, snapshot: string) => Promise<{ opId: string }>;
  get: (hostId: string, opId: string) => Promise<RestoreTestResult>;
  /** True once the runner with this pid is gone on the host (its domain lock dies with it). */
  runnerGone: (hostId: string, pid: number) => Promise<boolean>;
  isConnected: (hostId: string) => boolean;
  /** How often a started test is read back (default 2 s). */
  pollMs?: number;
}

interface Job {
  hostId: string;
  uuid: string;
  snapshot: string;
  pid: number | undefined;
  /** Set once started: a job taken up again after a dropped link only reads it back. */
  opId?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The restore tests a domain's choice asks for after each snapshot taken through the app
 * (docs/restore.md, "Restore tests after each snapshot"). The services feed it every event they
 * emit; when a watched snapshot's journal ends with a success, a test of that snapshot is queued
 * for its domain, and each domain's queue runs one test at a time, each only once the snapshot's
 * runner (and with it the domain's lock) is gone. A job whose host is not connected waits for
 * `onConnected`; its outcome (started, ended, not started and why) is emitted as a
 * `restore-test` event, and the result is kept on the host as any restore test's.
 */
export class RestoreTestPolicy {
  /** Snapshot operations started with the choice on: `hostId opId` → their events so far. */
  private readonly watched = new Map<string, OperationEvent[]>();
  private readonly queues = new Map<string, Job[]>();
  private readonly draining = new Set<string>();

  constructor(private readonly deps: RestoreTestPolicyDeps) {}

  /** A snapshot just started through the app whose domain asks for a restore test after it. */
  watch(hostId: string, opId: string): void {
    this.watched.set(`${hostId} ${opId}`, []);
  }

  /** Every event the services emit; only the watched operations' lines are kept. */
  onEvent(event: AppEvent): void {
    if (event.type !== 'operation') return;
    const key = `${event.hostId} ${event.opId}`;
    const events = this.watched.get(key);
    if (!events) return;
    events.push(event.event);
    if (event.event.kind !== 'end') return;
    this.watched.delete(key);
    const due = restoreTestDue(events);
    if (!due.due) return;
    const domain = `${event.hostId}/${due.uuid}`;
    const queue = this.queues.get(domain) ?? [];
    queue.push({ hostId: event.hostId, uuid: due.uuid, snapshot: due.snapshot, pid: due.pid });
    this.queues.set(domain, queue);
    void this.drain(domain);
  }

  /** The host is connected again: its domains' waiting tests go on. */
  onConnected(hostId: string): void {
    for (const [domain, queue] of this.queues) {
      if (queue[0]?.hostId === hostId) void this.drain(domain);
    }
  }

  /** Tests waiting or running, per domain (for tests and for a later status view). */
  pending(): { hostId: string; uuid: string; snapshot: string; opId: string | null }[] {
    return [...this.queues.values()].flat().map((j) => ({
      hostId: j.hostId,
      uuid: j.uuid,
      snapshot: j.snapshot,
      opId: j.opId ?? null,
    }));
  }

  /** Resolves when every queue is empty or waits for its host to connect again. */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await sleep(50);
  }

  private async drain(domain: string): Promise<void> {
    if (this.draining.has(domain)) return;
    this.draining.add(domain);
    try {
      const queue = this.queues.get(domain) ?? [];
      while (queue.length > 0) {
        const job = queue[0]!;
        if (!this.deps.isConnected(job.hostId)) return; // onConnected takes it up again
        if ((await this.run(job)) === 'wait') return;
        queue.shift();
      }
      this.queues.delete(domain);
    } finally {
      this.draining.delete(domain);
    }
  }

  private emit(
    job: Job,
    what: {
      state: 'started' | 'ended' | 'not-started';
      restorable?: boolean | null;
      message?: string | null;
    },
  ): void {
    this.deps.emit({
      type: 'restore-test',
      hostId: job.hostId,
      uuid: job.uuid,
      snapshot: job.snapshot,
      opId: job.opId ?? null,
      restorable: null,
      message: null,
      ...what,
    });
  }

  /** One job: start (unless started before a drop), then read it back until it ends. */
  private async run(job: Job): Promise<'done' | 'wait'> {
    if (!job.opId) {
      try {
        if (job.pid !== undefined && !(await this.deps.runnerGone(job.hostId, job.pid))) {
          this.emit(job, {
            state: 'not-started',
            message: 'The snapshot’s runner did not end, so its domain lock may still be held.',
          });
          return 'done';
        }
        job.opId = (await this.deps.start(job.hostId, job.uuid, job.snapshot)).opId;
      } catch (err) {
        if (!this.deps.isConnected(job.hostId)) return 'wait';
        this.emit(job, { state: 'not-started', message: (err as Error).message });
        return 'done';
      }
      this.emit(job, { state: 'started' });
    }
    let failures = 0;
    for (;;) {
      await sleep(this.deps.pollMs ?? 2_000);
      let r: RestoreTestResult;
      try {
        r = await this.deps.get(job.hostId, job.opId);
      } catch (err) {
        if (!this.deps.isConnected(job.hostId)) return 'wait';
        // The test runs on without the app: its result stays on the host (restore.list).
        if (++failures < 3) continue;
        this.emit(job, {
          state: 'ended',
          message: `Its result could not be read (${(err as Error).message}); the host keeps it.`,
        });
        return 'done';
      }
      if (r.state === 'running') continue;
      this.emit(job, {
        state: 'ended',
        restorable: r.state === 'succeeded' ? r.restorable : false,
        message:
          r.state === 'lost' ? 'The restore test stopped without a result.' : (r.message ?? null),
      });
      return 'done';
    }
  }
}

/**
 * Waits (at most about 30 s, on the host) until the process PID is gone; the snapshot runner
 * holds the domain's lock until it exits (host-scripts/host-lib.sh, take_domain_lock).
 */
export async function waitRunnerGone(conn: SshConnection, pid: number): Promise<boolean> {
  const r = await conn.exec(
    shellCommand([
      'sh',
      '-c',
      'i=0; while kill -0 "$1" 2>/dev/null; do [ "$i" -ge 30 ] && exit 1; sleep 1; i=$((i + 1)); done',
      'sh',
      String(pid),
    ]),
    { timeoutMs: 45_000 },
  );
  return r.code === 0;
}
