import type { HostProfile } from '../../../shared/hosts';
import type { Branch, RevertPreview, RevertSummary, RevertTarget } from '../../../shared/revert';
import { AppError } from '../app-error';
import { fetchHistory } from '../history/history';
import { shellCommand } from '../shell/quote';
import { readOperation, startOperation } from '../snapshot/launch';
import type { SshConnection } from '../ssh/ssh-connection';
import { runVirsh } from '../virsh/run-virsh';
import { readBranches } from './branches';
import {
  branchRecord,
  frozenImages,
  keepDisks,
  laterSnapshots,
  memoryImage,
  planText,
  pointDisksAt,
  previewText,
  revertDisks,
} from './revert-plan';
import { readRevertLines, summarizeRevert } from './revert-journal';
import { revertProcedure } from './revert-procedure';
import { revertDir, revertLaunchScript } from './revert-launch';
import { deleteBranchScript, listBranchesScript } from './branch-scripts';

export interface RevertsOptions {
  agentTimeoutS: number;
  workstation: string;
  user: string;
  /** Seconds the runner waits for the guest agent after the start (default 60). */
  bootWaitS?: number;
}

export interface RevertRequest {
  uuid: string;
  target: RevertTarget;
  allowForce: boolean;
  stopTimeoutS: number;
}

const virsh = (conn: SshConnection, uri: string, args: string[]) =>
  runVirsh(conn, uri, args, 60_000);

/**
 * Quiesce's own revert (host-scripts/revert-runner.sh does it on the host): plans it from what
 * libvirt says, shows what it will do, launches it, reads how it goes from its journal (state
 * lives on the host: an app restarted mid-revert reads the same), and lists and deletes the
 * discarded branches reverts leave.
 */
export class Reverts {
  constructor(private readonly opts: RevertsOptions) {}

  /** Everything a revert needs, read from libvirt now. */
  private async plan(host: HostProfile, conn: SshConnection, req: RevertRequest, opId: string) {
    const uri = host.libvirtUri;
    const [state, before, current, history] = await Promise.all([
      virsh(conn, uri, ['domstate', '--domain', req.uuid]),
      virsh(conn, uri, ['dumpxml', '--domain', req.uuid, '--inactive', '--security-info']),
      this.current(host, conn, req.uuid),
      fetchHistory(conn, uri, req.uuid, host.hostDir),
    ]);
    let frozen: Map<string, { file: string; format: string }>;
    let becomesCurrent: string | null;
    let stopAt: string | null;
    let memory: string | null = null;
    if (req.target.kind === 'snapshot') {
      const name = req.target.name;
      if (!history.snapshots.some((s) => s.name === name)) {
        throw new AppError('not-found', `The domain has no snapshot “${name}”.`);
      }
      const snapshotXml = await virsh(conn, uri, [
        'snapshot-dumpxml',
        '--domain',
        req.uuid,
        '--snapshotname',
        name,
        '--security-info',
      ]);
      frozen = frozenImages(snapshotXml);
      memory = memoryImage(snapshotXml);
      becomesCurrent = name;
      stopAt = name;
    } else {
      const id = req.target.id;
      const branch = (await this.branches(host, conn, req.uuid)).find((b) => b.id === id);
      if (!branch || branch.deleted) throw new AppError('not-found', `No discarded branch ${id}.`);
      if (!branch.intact) {
        throw new AppError('host-command-failed', `The branch ${id} lost some of its files.`, {
          remedy: 'It cannot be reverted to; delete it.',
        });
      }
      frozen = new Map(branch.disks.map((d) => [d.target, { file: d.top, format: d.format }]));
      becomesCurrent =
        branch.from && history.snapshots.some((s) => s.name === branch.from) ? branch.from : null;
      stopAt = null;
    }
    const disks = revertDisks(before, frozen, opId);
    const later =
      req.target.kind === 'snapshot' ? laterSnapshots(history.snapshots, current, stopAt) : [];
    const procedure = revertProcedure(history.abilities.libvirt, req.target);
    // A full checkpoint restored by Quiesce: the live XML its memory image was saved with (read
    // by libvirt, which can open the image), disks moved to the new overlays.
    const restoreXml =
      memory && procedure === 'quiesce'
        ? pointDisksAt(
            await virsh(conn, uri, ['save-image-dumpxml', '--security-info', '--', memory]),
            disks,
          )
        : null;
    return {
      state: state.trim(),
      before,
      current,
      disks,
      later,
      becomesCurrent,
      procedure,
      memory: memory && restoreXml ? { file: memory, restoreXml } : undefined,
    };
  }

  /** What the confirmation shows: the plan as it would be made now, in words. */
  async preview(
    host: HostProfile,
    conn: SshConnection,
    req: RevertRequest,
  ): Promise<RevertPreview> {
    const p = await this.plan(host, conn, req, 'OPID');
    return {
      domainState: p.state,
      willStop: /^(running|paused)/.test(p.state),
      disks: p.disks,
      laterSnapshots: p.later,
      current: p.becomesCurrent,
      procedure: p.procedure,
      memory: p.memory !== undefined,
      text: previewText({
        domainState: p.state,
        target: req.target,
        disks: p.disks,
        laterSnapshots: p.later,
        allowForceHint: req.allowForce,
        memory: p.memory !== undefined,
      }),
    };
  }

  /**
   * Plans the revert from libvirt now and launches its runner on the host with the plan's files;
   * how it goes is read with `get`.
   */
  async start(
    host: HostProfile,
    conn: SshConnection,
    req: RevertRequest,
  ): Promise<{ opId: string }> {
    return this.launch(host, conn, async (opId) => {
      const p = await this.plan(host, conn, req, opId);
      // libvirt's own revert (≥ 9.9): the left state is kept as a snapshot first (the runner's
      // keep phase), so the branch lists it too; Quiesce's procedure defines after.xml instead.
      const byLibvirt = p.procedure === 'libvirt';
      const files = {
        plan: planText(byLibvirt ? keepDisks(p.before, p.disks, opId) : p.disks),
        before: p.before,
        after: byLibvirt ? p.before : pointDisksAt(p.before, p.disks),
        branch: branchRecord(
          opId,
          req.uuid,
          req.target,
          p.current,
          p.disks,
          byLibvirt ? [...p.later, `quiesce-keep-${opId}`] : p.later,
        ),
        ...(p.memory ? { memory: p.memory } : {}),
      };
      return this.script(host, opId, req, 'revert', p.becomesCurrent ?? '', files, p.procedure);
    });
  }

  /** Finishes or rolls back every revert of the domain that died half-way (no new revert). */
  async recover(host: HostProfile, conn: SshConnection, uuid: string): Promise<{ opId: string }> {
    return this.launch(host, conn, (opId) => {
      const req: RevertRequest = {
        uuid,
        target: { kind: 'branch', id: opId },
        allowForce: false,
        stopTimeoutS: 1,
      };
      return this.script(host, opId, req, 'recover', '');
    });
  }

  /** A revert run (or recover run) started on the host under a new id; SCRIPT(opId) its launch. */
  private async launch(
    host: HostProfile,
    conn: SshConnection,
    script: (opId: string) => string | Promise<string>,
  ): Promise<{ opId: string }> {
    return startOperation(conn, revertDir(host.hostDir), 'The revert runner', script);
  }

  /** The runner's launch script (revert-launch.ts): its arguments, and the plan's files. */
  private script(
    host: HostProfile,
    opId: string,
    req: RevertRequest,
    mode: 'revert' | 'recover',
    current: string,
    files?: Parameters<typeof revertLaunchScript>[1],
    procedure: 'libvirt' | 'quiesce' = 'quiesce',
  ): string {
    return revertLaunchScript(
      {
        op: opId,
        uri: host.libvirtUri,
        uuid: req.uuid,
        mode,
        targetKind: mode === 'recover' ? 'none' : req.target.kind,
        target:
          mode === 'recover'
            ? ''
            : req.target.kind === 'snapshot'
              ? req.target.name
              : req.target.id,
        current,
        allowForce: req.allowForce,
        stopTimeoutS: req.stopTimeoutS,
        bootWaitS: this.opts.bootWaitS ?? 60,
        agentTimeoutS: this.opts.agentTimeoutS,
        procedure,
        workstation: this.opts.workstation,
        user: this.opts.user,
      },
      files,
    );
  }

  /** A revert's summary, from its journal on the host; a dead runner without an end is lost. */
  async get(host: HostProfile, conn: SshConnection, opId: string): Promise<RevertSummary> {
    const op = await readOperation(conn, revertDir(host.hostDir), opId);
    if (!op) throw new AppError('not-found', `No revert ${opId} on this host.`);
    return summarizeRevert(opId, readRevertLines(op.journal), !op.alive);
  }

  /** libvirt's current snapshot of the domain (what the guest descends from), or null. */
  async current(host: HostProfile, conn: SshConnection, uuid: string): Promise<string | null> {
    const r = await conn.exec(
      shellCommand([
        'virsh',
        '-c',
        host.libvirtUri,
        'snapshot-current',
        '--domain',
        uuid,
        '--name',
      ]),
      { timeoutMs: 30_000 },
    );
    return r.code === 0 ? r.stdout.replace(/\n$/, '') || null : null;
  }

  /** The domain's discarded branches, with the size of their files. */
  async branches(host: HostProfile, conn: SshConnection, uuid: string): Promise<Branch[]> {
    const r = await conn.exec(
      shellCommand(['sh', '-c', listBranchesScript, 'sh', host.hostDir, uuid]),
      {
        timeoutMs: 30_000,
      },
    );
    if (r.code !== 0) {
      throw new AppError('host-command-failed', 'The discarded branches could not be read.', {
        cause: r.stderr.trim() || `exit status ${r.code}`,
      });
    }
    return readBranches(r.stdout);
  }

  /**
   * Deletes a branch's top files (what was written after its last snapshot), each only if no
   * domain uses it and no revert put an overlay on it; its snapshots stay (they are revertable
   * from their own frozen images).
   */
  async deleteBranch(
    host: HostProfile,
    conn: SshConnection,
    uuid: string,
    id: string,
  ): Promise<{ removed: string[]; kept: string[] }> {
    const branch = (await this.branches(host, conn, uuid)).find((b) => b.id === id);
    if (!branch || branch.deleted) throw new AppError('not-found', `No discarded branch ${id}.`);
    const r = await conn.exec(
      shellCommand([
        'sh',
        '-c',
        deleteBranchScript,
        'sh',
        host.hostDir,
        uuid,
        host.libvirtUri,
        id,
        ...branch.disks.map((d) => d.top),
      ]),
      { timeoutMs: 60_000 },
    );
    if (r.code !== 0) {
      throw new AppError('host-command-failed', `The branch ${id} could not be deleted.`, {
        cause: r.stderr.trim() || `exit status ${r.code}`,
        remedy:
          r.code === 75
            ? 'Another operation runs on this domain: wait for it and try again.'
            : 'Check that libvirt answers on the host, then try again.',
      });
    }
    const removed: string[] = [];
    const kept: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const [act, file] = line.split(' ');
      const path = file ? Buffer.from(file, 'base64').toString('utf8') : '';
      if (act === 'removed') removed.push(path);
      else if (act === 'kept') kept.push(path);
    }
    return { removed, kept };
  }
}
