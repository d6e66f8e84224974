import type { AppEvent } from '../../../shared/events';
import type { HostProfile } from '../../../shared/hosts';
import { summarize } from '../../../shared/operation-model';
import type {
  OperationEvent,
  OperationKind,
  OperationSummary,
  QuiescePolicy,
} from '../../../shared/snapshot';
import { followCommand } from '../shell/follow';
import { shellCommand } from '../shell/quote';
import type { SshConnection } from '../ssh/ssh-connection';
import followJournalScript from '../host-scripts/follow-journal.sh?raw';
import listScript from '../host-scripts/operations-list.sh?raw';
import { parseJournal } from './journal';
import { launchScript, startOperation, type RunnerArgs } from './launch';
import { splitOperationListing } from './operation-listing';

export interface OperationsOptions {
  emit: (event: AppEvent) => void;
  agentTimeoutS: number;
  workstation: string;
  user: string;
  /** Test-only fault injection (see RunnerArgs.holdFrozenMs). */
  holdFrozenMs?: number;
}

export interface StartRequest {
  operation: OperationKind;
  uuid: string;
  name: string;
  description: string;
  policy: QuiescePolicy;
  maxFreezeS: number;
  /** A full checkpoint (memory with the disks), of a paused guest. */
  memory?: boolean;
}

interface Tracked {
  hostId: string;
  events: OperationEvent[];
  /** Journal lines received, so a re-follow after a drop resumes where it stopped. */
  lines: number;
  stop?: () => void;
  ended: boolean;
}

/** The operations list script's output (host-scripts/operations-list.sh), read. Pure. */
export function parseOperationsList(
  stdout: string,
): { opId: string; alive: boolean; events: OperationEvent[] }[] {
  return splitOperationListing(stdout).map(({ opId, alive, journal }) => ({
    opId,
    alive,
    events: parseJournal(journal),
  }));
}

/**
 * Consistent-snapshot operations: starts the host runner, follows its journal into contract
 * events, and picks running operations up again after a dropped link or an app restart — the
 * runner does not need the app, the app only reads what the runner wrote.
 */
export class Operations {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly opts: OperationsOptions) {}

  async start(
    host: HostProfile,
    conn: SshConnection,
    req: StartRequest,
  ): Promise<{ opId: string }> {
    const started = await startOperation(conn, host.hostDir, 'The snapshot runner', (op) => {
      const args: RunnerArgs = {
        op,
        uri: host.libvirtUri,
        uuid: req.uuid,
        name: req.name,
        policy: req.policy,
        maxFreezeS: req.maxFreezeS,
        agentTimeoutS: this.opts.agentTimeoutS,
        workstation: this.opts.workstation,
        user: this.opts.user,
        holdFrozenMs: this.opts.holdFrozenMs ?? 0,
        kind: req.operation, // the runner's argument name (host-scripts/snapshot-runner.sh)
        description: req.description,
        ...(req.memory ? { memory: true } : {}),
      };
      return launchScript(args);
    });
    this.follow(host, conn, started.opId);
    return started;
  }

  private follow(host: HostProfile, conn: SshConnection, opId: string): void {
    const t = this.tracked.get(opId) ?? { hostId: host.id, events: [], lines: 0, ended: false };
    this.tracked.set(opId, t);
    if (t.ended || t.stop) return;
    const cmd = followCommand([
      'sh',
      '-c',
      followJournalScript,
      'sh',
      String(t.lines + 1),
      host.hostDir,
      opId,
    ]);
    const handle = conn.stream(
      cmd,
      (line) => {
        t.lines++;
        for (const e of parseJournal(line)) {
          t.events.push(e);
          this.opts.emit({ type: 'operation', hostId: host.id, opId, event: e });
          if (e.kind === 'end') {
            t.ended = true;
            handle.stop();
          }
        }
      },
      () => {
        t.stop = undefined;
      },
    );
    t.stop = () => handle.stop();
  }

  /** After (re)connecting: follow again every operation the host says is still running. */
  async reattach(host: HostProfile, conn: SshConnection): Promise<void> {
    for (const op of await this.listRaw(host, conn, 20)) {
      const known = this.tracked.get(op.opId);
      const ended = op.events.some((e) => e.kind === 'end');
      if (!ended && (op.alive || !known)) this.follow(host, conn, op.opId);
      else if (ended && known && !known.ended) {
        // It finished while we were away: deliver what we missed.
        for (const e of op.events.slice(known.events.length)) {
          known.events.push(e);
          this.opts.emit({ type: 'operation', hostId: host.id, opId: op.opId, event: e });
        }
        known.ended = true;
      }
    }
  }

  /**
   * An operation's events and summary. While its journal has not ended, the runner's pid is
   * checked on the host: a runner killed mid-operation reads as "lost", not "running" forever.
   */
  async get(
    opId: string,
    conn: SshConnection | undefined,
  ): Promise<{ events: OperationEvent[]; summary: OperationSummary } | undefined> {
    const t = this.tracked.get(opId);
    if (!t) return undefined;
    let runnerGone = false;
    const start = t.events.find((e) => e.kind === 'started');
    if (!t.ended && conn && start?.kind === 'started' && start.pid) {
      const r = await conn
        .exec(shellCommand(['kill', '-0', String(start.pid)]), { timeoutMs: 15_000 })
        .catch(() => undefined);
      runnerGone = r !== undefined && r.code !== 0;
    }
    return { events: t.events, summary: summarize(opId, t.events, runnerGone) };
  }

  private async listRaw(host: HostProfile, conn: SshConnection, limit: number) {
    const r = await conn.exec(
      shellCommand(['sh', '-c', listScript, 'sh', host.hostDir, String(limit)]),
      {
        timeoutMs: 30_000,
      },
    );
    return parseOperationsList(r.stdout);
  }

  /** The host's recent operations, newest first, as their journals tell them. */
  async list(host: HostProfile, conn: SshConnection, limit = 100): Promise<OperationSummary[]> {
    return (await this.listRaw(host, conn, limit))
      .map((op) => summarize(op.opId, op.events, !op.alive))
      .reverse();
  }

  stopFollowing(hostId: string): void {
    for (const t of this.tracked.values()) {
      if (t.hostId === hostId) {
        t.stop?.();
        t.stop = undefined;
      }
    }
  }
}
