import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import hostLib from '../host-scripts/host-lib.sh?raw';
import type { HostProfile } from '../../../shared/hosts';
import { PhaseStatusSchema } from '../../../shared/operation-state';
import type { RestoreTestResult } from '../../../shared/restore-test';
import { AppError } from '../app-error';
import { shellCommand } from '../shell/quote';
import { b64, lineReader, readLinesWith } from '../snapshot/journal-line';
import {
  argsFileText,
  launchScriptOf,
  newOpId,
  readOperation,
  runnerDir,
  startOnHost,
} from '../snapshot/launch';
import { splitOperationListing } from '../snapshot/operation-listing';
import type { SshConnection } from '../ssh/ssh-connection';
import { runVirsh } from '../virsh/run-virsh';
import restoreScript from './restore-test.sh?raw';
import listBody from './restore-tests-list.sh?raw';
import runnerAlive from '../host-scripts/runner-alive.sh?raw';
import { cloneXml } from './restore-test-plan';
import { frozenImages, planText, revertDisks } from './revert-plan';

/**
 * A restore test's journal line (restore-test.sh), read for what the result needs: the members
 * host-lib.sh puts on every line are not required here.
 */
const LineSchema = z.discriminatedUnion('ev', [
  z.object({
    ev: z.literal('start'),
    op: z.string(),
    pid: z.number(),
    /** The clone's domain name. */
    clone: z.string(),
    /** The snapshot tested (absent in tests started before the runner wrote it). */
    snapshot: b64.optional(),
    rt: z.number().optional(),
  }),
  z.object({
    ev: z.literal('phase'),
    phase: z.string(),
    status: PhaseStatusSchema,
    b64: b64.optional(),
  }),
  z.object({
    ev: z.literal('result'),
    ok: z.boolean(),
    failedPhase: z.string().optional(),
    b64: b64.optional(),
    /** ms from `virsh create` of the clone to its agent's first answer (or to giving up). */
    bootMs: z.number().optional(),
    /** The agent's guest-get-fsinfo answer, and the guest kernel's lines about its mounts. */
    fsinfo: b64.optional(),
    kernelLog: b64.optional(),
  }),
  z.object({ ev: z.literal('end') }),
]);
/** Untrimmed: a snapshot's name is the host's, spaces at its ends too. */
const text = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');

/** The journal of a restore test → its result. Pure. */
export function readRestoreTest(opId: string, journal: string, alive: boolean): RestoreTestResult {
  const lines = readLinesWith(journal, lineReader(LineSchema));
  const result = lines.find((l) => l.ev === 'result');
  const clone = lines.find((l) => l.ev === 'start');
  const phases = lines.flatMap((l) => (l.ev === 'phase' ? [l] : []));
  const cleanup = phases.findLast((p) => p.phase === 'cleanup');
  const started = clone?.ev === 'start' ? clone : undefined;
  const base = {
    opId,
    snapshot: started?.snapshot ? (text(started.snapshot) ?? null) : null,
    // rt: ns since the epoch (host-lib.sh's now_rt); Number keeps ms exactly
    startedAt: started?.rt ? new Date(Math.floor(started.rt / 1e6)).toISOString() : null,
    clone: started?.clone ?? null,
    phases: phases.map((p) => ({ phase: p.phase, status: p.status, detail: text(p.b64) ?? '' })),
  };
  if (!result || result.ev !== 'result') {
    return {
      ...base,
      state: alive ? 'running' : 'lost',
      restorable: null,
      bootS: null,
      filesystems: [],
      recovery: null,
      evidence: '',
      message: null,
      cloneGone: null,
    };
  }
  let filesystems: RestoreTestResult['filesystems'] = [];
  try {
    const fs = JSON.parse(text(result.fsinfo) ?? '{}') as {
      return?: { name?: string; mountpoint?: string; type?: string }[];
    };
    filesystems = (fs.return ?? []).map((f) => ({
      name: f.name ?? '',
      mountpoint: f.mountpoint ?? '',
      type: f.type ?? '',
    }));
  } catch {
    /* no fsinfo */
  }
  const log = text(result.kernelLog);
  const recovered =
    log === undefined ? null : /recovery complete|orphan cleanup|replaying/i.test(log);
  return {
    ...base,
    state: result.ok ? 'succeeded' : 'failed',
    restorable: result.ok,
    bootS: result.bootMs !== undefined ? Math.round(result.bootMs / 100) / 10 : null,
    filesystems,
    recovery: recovered,
    evidence: [text(result.fsinfo) ?? '', log ?? ''].filter(Boolean).join('\n'),
    message: text(result.b64) ?? null,
    cloneGone: cleanup?.status === 'done',
  };
}

/** restore-tests-list.sh as it is sent (`sh -c`): runner_alive (runner-alive.sh) in front of it. */
export const restoreTestsListScript = `${runnerAlive}\n${listBody}`;

/** restore-tests-list.sh's answer ("@@op OP ALIVE", then that test's journal, a test each). Pure. */
export function readRestoreTestList(out: string): RestoreTestResult[] {
  return splitOperationListing(out)
    .filter((op) => /^[0-9A-Za-z-]+$/.test(op.opId))
    .map((op) => readRestoreTest(op.opId, op.journal, op.alive));
}

/**
 * Restore tests: a transient linked clone of a snapshot boots on the host (restore-test.sh, run
 * detached through launch.sh in HOSTDIR/restore-tests), its agent is asked what it mounted, and
 * the clone and its overlays are removed. The original domain is never touched.
 */
export class RestoreTests {
  constructor(private readonly opts: { agentTimeoutS: number; bootWaitS?: number }) {}

  async start(host: HostProfile, conn: SshConnection, uuid: string, name: string) {
    const uri = host.libvirtUri;
    const virsh = (args: string[]) => runVirsh(conn, uri, args, 60_000);
    const opId = newOpId();
    const [definition, snapshot, domName] = await Promise.all([
      virsh(['dumpxml', '--domain', uuid, '--inactive']),
      virsh(['snapshot-dumpxml', '--domain', uuid, '--snapshotname', name]),
      virsh(['domname', uuid]),
    ]);
    const disks = revertDisks(definition, frozenImages(snapshot), opId).map((d) => ({
      ...d,
      overlay: d.overlay.replace(/\.revert-/, '.restoretest-'),
    }));
    const clone = `${domName
      .trim()
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40)}-restoretest-${opId.slice(-8)}`;
    const cloneUuid = randomUUID();
    const args = argsFileText('the restore test', [
      ['op', opId],
      ['uri', uri],
      ['uuid', uuid],
      ['name', Buffer.from(name, 'utf8').toString('base64')],
      ['clone', clone],
      ['cloneUuid', cloneUuid],
      ['bootWaitS', String(this.opts.bootWaitS ?? 120)],
      ['agentTimeoutS', String(this.opts.agentTimeoutS)],
    ]);
    const files: [string, string][] = [
      ['host-lib.sh', hostLib],
      ['runner.sh', restoreScript],
      ['args', args],
      ['plan', planText(disks)],
      ['clone.xml', cloneXml(definition, disks, clone, cloneUuid)],
    ];
    await startOnHost(
      conn,
      restoreDir(host.hostDir),
      opId,
      launchScriptOf(files),
      'The restore test',
    );
    return { opId };
  }

  /** The domain's restore tests kept on the host (restore-tests-list.sh), newest first. */
  async list(host: HostProfile, conn: SshConnection, uuid: string): Promise<RestoreTestResult[]> {
    const r = await conn.exec(
      shellCommand(['sh', '-c', restoreTestsListScript, 'sh', host.hostDir, uuid]),
      {
        timeoutMs: 30_000,
      },
    );
    if (r.code !== 0) {
      throw new AppError(
        'host-command-failed',
        'The restore tests kept on the host could not be read.',
        {
          cause: r.stderr.trim() || `exit status ${r.code}`,
        },
      );
    }
    return readRestoreTestList(r.stdout);
  }

  async get(host: HostProfile, conn: SshConnection, opId: string): Promise<RestoreTestResult> {
    const op = await readOperation(conn, restoreDir(host.hostDir), opId);
    if (!op) throw new AppError('not-found', `No restore test ${opId} on this host.`);
    return readRestoreTest(opId, op.journal, op.alive);
  }
}

export function restoreDir(hostDir: string): string {
  return runnerDir(hostDir, 'restore-tests');
}
