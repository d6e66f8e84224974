import { resolve } from 'node:path';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import { shellCommand } from '../../shared/shell-command';
import { CliError } from './cli-error';
import {
  EXIT,
  exitForDoctor,
  exitForRestoreTest,
  exitForRevert,
  exitForSnapshot,
} from './exit-codes';
import { operationEvents, pollUntilDone } from './follow-operation';
import {
  branchesText,
  doctorText,
  domainsText,
  historyText,
  hostsText,
  operationText,
  operationsText,
  restoreTestText,
  restoreTestsText,
  revertPreviewText,
  revertText,
} from './format';
import type { Command } from './parse-args';
import { MergeProgress, PolledProgress, SnapshotProgress } from './progress';
import type { CliSession } from './session';
import { defaultSnapshotName } from './snapshot-name';
import { ok, type CommandResult, type Progress } from './command-result';
import type { CommandFamily } from './command-family';
import { exportCommands } from './export-commands';
import { scheduleCommands } from './schedule-commands';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;
type RevertCommand = Extract<Command, { name: 'revert-preview' | 'revert-start' }>;

/** Runs one parsed command (not `help`) against the app's services. */
export async function runCommand(
  cmd: Exclude<Command, { name: 'help' }>,
  s: CliSession,
  progress: Progress,
): Promise<CommandResult> {
  if (cmd.name === 'hosts') {
    const hosts = await s.call('hosts.list', {});
    return ok(hosts, hostsText(hosts));
  }
  if (cmd.name === 'trust') return trust(cmd, s);
  if (cmd.name === 'host-add') return addHost(cmd, s);
  if (cmd.name === 'host-remove') {
    const host = await s.host(cmd.host);
    await s.call('hosts.remove', { hostId: host.id });
    return {
      ...ok({ removed: host.id }, `Removed the host profile ${host.name} (${host.id}).`),
      host: { id: host.id, name: host.name },
    };
  }

  const { host } = await s.connect(cmd.host);
  const where = { host: { id: host.id, name: host.name } };
  if (cmd.name === 'ls') {
    const list = await s.call('domains.list', { hostId: host.id });
    return { ...ok(list, domainsText(list)), ...where };
  }
  if (cmd.name === 'operations') {
    const { operations } = await s.call('operations.list', { hostId: host.id });
    return { ...ok(operations, operationsText(operations)), ...where };
  }

  if (scheduleCommands.has(cmd))
    return { ...(await scheduleCommands.run(cmd, s, host, progress)), ...where };
  if (exportCommands.has(cmd))
    return { ...(await exportCommands.run(cmd, s, host, progress)), ...where };

  const d = await s.domain(host, cmd.domain);
  const ref = { hostId: host.id, uuid: d.uuid };
  const result = await domainCommand(cmd, s, host, d, ref, progress);
  return { ...result, ...where, domain: { uuid: d.uuid, name: d.name } };
}

async function domainCommand(
  cmd: Exclude<
    Command,
    | { name: 'help' | 'hosts' | 'trust' | 'ls' | 'operations' | 'host-add' | 'host-remove' }
    | CommandFamily<'schedule' | 'export'>
  >,
  s: CliSession,
  host: HostProfile,
  d: Domain,
  ref: { hostId: string; uuid: string },
  progress: Progress,
): Promise<CommandResult> {
  switch (cmd.name) {
    case 'snapshot':
    case 'test-freeze':
      return snapshot(cmd, s, ref, progress);
    case 'history': {
      const h = await s.call('history.list', ref);
      return ok(h, historyText(h));
    }
    case 'doctor': {
      const r = await s.call('doctor.run', ref);
      return { exit: exitForDoctor(r), result: r, text: doctorText(r) };
    }
    case 'thaw': {
      const r = await s.call('domains.thaw', ref);
      return ok(r, `${d.name}: thawed ${r.thawed} filesystem${r.thawed === 1 ? '' : 's'}.`);
    }
    case 'add-agent-channel': {
      const r = await s.call('doctor.addChannel', ref);
      return ok(
        r,
        `${d.name}: the agent channel is in the persistent definition; it applies at the next start (a shutdown and start, not a reboot).`,
      );
    }
    case 'delete': {
      await requireSnapshot(s, ref, cmd.snapshot, host, d);
      await s.call('history.delete', { ...ref, name: cmd.snapshot });
      return ok({ deleted: cmd.snapshot }, `${d.name}: deleted snapshot ${cmd.snapshot}.`);
    }
    case 'merge': {
      const merge = new MergeProgress();
      const stop = s.onEvent((e) => {
        if (e.type === 'merge-progress' && e.uuid === d.uuid) {
          const line = merge.line(e);
          if (line) progress(line);
        }
      });
      try {
        const r = await s.call('history.merge', ref);
        return ok(
          r,
          `${d.name}: every disk's chain merged into its base${r.forgotten.length ? `; snapshots now only metadata, forgotten: ${r.forgotten.join(', ')}` : ''}.`,
        );
      } finally {
        stop();
      }
    }
    case 'revert-preview': {
      if (cmd.target.kind === 'snapshot') await requireSnapshot(s, ref, cmd.target.name, host, d);
      const p = await s.call('revert.preview', { ...ref, ...revertInput(cmd) });
      return ok(p, revertPreviewText(p));
    }
    case 'revert-start':
    case 'revert-recover': {
      let opId: string;
      if (cmd.name === 'revert-start') {
        if (cmd.target.kind === 'snapshot') await requireSnapshot(s, ref, cmd.target.name, host, d);
        ({ opId } = await s.call('revert.start', { ...ref, ...revertInput(cmd) }));
      } else ({ opId } = await s.call('revert.recover', ref));
      progress(`revert ${opId}: started`);
      const shown = new PolledProgress();
      const r = await pollUntilDone(
        () => s.call('revert.get', { hostId: ref.hostId, opId }),
        (a) => shown.lines(a.phases, a.progress).forEach(progress),
      );
      return { exit: exitForRevert(r), result: r, text: revertText(r) };
    }
    case 'branches': {
      const b = await s.call('revert.branches', ref);
      return ok(b, branchesText(b));
    }
    case 'delete-branch': {
      const { branches } = await s.call('revert.branches', ref);
      if (!branches.some((b) => b.id === cmd.branch))
        throw CliError.notFound(
          `${d.name} has no discarded branch ${cmd.branch}.`,
          `\`${shellCommand(['quiesce', 'branches', host.name, d.name])}\` lists them.`,
        );
      const r = await s.call('revert.deleteBranch', { ...ref, id: cmd.branch });
      return ok(
        r,
        `Branch ${cmd.branch}: removed ${r.removed.length} file${r.removed.length === 1 ? '' : 's'}${r.kept.length ? `, kept ${r.kept.join(', ')} (in use)` : ''}.`,
      );
    }
    case 'restore-tests': {
      const r = await s.call('restore.list', ref);
      return ok(r, restoreTestsText(r.results));
    }
    case 'restore-test': {
      await requireSnapshot(s, ref, cmd.snapshot, host, d);
      const { opId } = await s.call('restore.start', { ...ref, name: cmd.snapshot });
      progress(`restore test ${opId}: started`);
      const shown = new PolledProgress();
      const r = await pollUntilDone(
        () => s.call('restore.get', { hostId: ref.hostId, opId }),
        (a) => shown.lines(a.phases).forEach(progress),
      );
      return { exit: exitForRestoreTest(r), result: r, text: restoreTestText(r) };
    }
  }
}

function revertInput(cmd: Pick<RevertCommand, 'target' | 'allowForce' | 'stopTimeoutS'>) {
  return {
    target: cmd.target,
    allowForce: cmd.allowForce,
    ...(cmd.stopTimeoutS === undefined ? {} : { stopTimeoutS: cmd.stopTimeoutS }),
  };
}

/** A snapshot the domain must have, so that a wrong name is "not found" before anything runs. */
async function requireSnapshot(
  s: CliSession,
  ref: { hostId: string; uuid: string },
  name: string,
  host: HostProfile,
  d: Domain,
): Promise<void> {
  const { snapshots } = await s.call('history.list', ref);
  if (!snapshots.some((x) => x.name === name))
    throw CliError.notFound(
      `${d.name} has no snapshot “${name}”.`,
      `\`${shellCommand(['quiesce', 'history', host.name, d.name])}\` lists its snapshots.`,
    );
}

/** A snapshot (or a test freeze), its journal streamed to stderr as the runner writes it. */
async function snapshot(
  cmd: Of<'snapshot'> | Of<'test-freeze'>,
  s: CliSession,
  ref: { hostId: string; uuid: string },
  progress: Progress,
): Promise<CommandResult> {
  const ops = operationEvents(s);
  try {
    let opId: string;
    if (cmd.name === 'snapshot') {
      // The quiesce policy is what the command line says, never a remembered one
      // (docs/ARCHITECTURE.md, "Explicit quiesce policy"); the maximum freeze may be remembered.
      const defaults = await s.call('snapshot.defaults', ref);
      ({ opId } = await s.call('snapshot.start', {
        ...ref,
        name: cmd.snapshotName ?? defaultSnapshotName(new Date()),
        description: cmd.description,
        policy: cmd.allowCrashConsistent ? 'allow-crash-consistent' : 'require',
        maxFreezeS: cmd.maxFreezeS ?? defaults.maxFreezeS,
        // The command ends with the snapshot, before a restore test of it could: that test is
        // `quiesce restore-test`, asked for explicitly (docs/restore.md).
        testRestore: false,
      }));
    } else {
      ({ opId } = await s.call('doctor.testFreeze', {
        ...ref,
        ...(cmd.maxFreezeS === undefined ? {} : { maxFreezeS: cmd.maxFreezeS }),
      }));
    }
    const lines = new SnapshotProgress();
    const summary = await ops.follow(ref.hostId, opId, (e) => {
      const line = lines.line(e);
      if (line) progress(line);
    });
    return { exit: exitForSnapshot(summary), result: summary, text: operationText(summary) };
  } finally {
    ops.stop();
  }
}

/**
 * The admin's explicit acceptance of one host key: saved to known_hosts only if the host offers
 * exactly that fingerprint now. A changed or revoked key is refused whatever is given.
 */
async function trust(cmd: Of<'trust'>, s: CliSession): Promise<CommandResult> {
  const host = await s.host(cmd.host);
  const already = await s.connect(cmd.host).catch((err: unknown) => {
    if (err instanceof CliError && err.exit === EXIT.hostKeyUnknown) return undefined;
    throw err;
  });
  const where = { host: { id: host.id, name: host.name } };
  if (already) {
    if (already.fingerprint !== cmd.fingerprint)
      throw CliError.usage(
        `${host.name}'s key (${already.fingerprint}) is already in known_hosts, and it is not the fingerprint given.`,
        'Nothing to trust: the host is known. Check where the fingerprint you gave comes from.',
      );
    return {
      ...ok(
        { fingerprint: already.fingerprint, saved: false },
        `${host.name}: its key ${already.fingerprint} is already in known_hosts.`,
      ),
      ...where,
    };
  }
  try {
    await s.connect(cmd.host, { fingerprint: cmd.fingerprint, save: true });
  } catch (err) {
    if (err instanceof CliError && err.exit === EXIT.hostKeyUnknown) {
      const offered = (err.result as { hostKey?: { fingerprint: string } } | null)?.hostKey;
      throw new CliError(
        EXIT.hostKeyUnknown,
        {
          code: 'connect-failed',
          message: `${host.name} offers ${offered?.fingerprint ?? 'another key'}, not ${cmd.fingerprint}: nothing saved.`,
          remedy:
            'Check the fingerprint on the host itself (ssh-keygen -lf on its public host key) and give that one.',
        },
        err.result,
      );
    }
    throw err;
  }
  return {
    ...ok(
      { fingerprint: cmd.fingerprint, saved: true, knownHostsPath: s.paths.knownHostsPath },
      `${host.name}: key ${cmd.fingerprint} saved to ${s.paths.knownHostsPath}.`,
    ),
    ...where,
  };
}

/**
 * A host profile saved as the app's "Add host" saves it (the same store and schema). A name
 * already in use is refused: the command line names hosts by name.
 */
async function addHost(cmd: Of<'host-add'>, s: CliSession): Promise<CommandResult> {
  const hosts = await s.call('hosts.list', {});
  if (hosts.some((h) => h.name.toLowerCase() === cmd.draft.name.toLowerCase()))
    throw CliError.usage(
      `A host called “${cmd.draft.name}” is already saved.`,
      `Choose another name, or remove it first: ${shellCommand(['quiesce', 'host', 'remove', cmd.draft.name])}.`,
    );
  const auth = cmd.draft.auth;
  const saved = await s.call('hosts.save', {
    ...cmd.draft,
    // A key file named relative to where the command runs, kept as the absolute path it means.
    auth: auth.kind === 'key' ? { kind: 'key', keyPath: resolve(auth.keyPath) } : auth,
  });
  return {
    ...ok(
      saved,
      `Saved ${saved.name} (${saved.id}). Next: ${shellCommand(['quiesce', 'ls', saved.name])}; an unknown host key is shown with its fingerprint for \`quiesce trust\`.`,
    ),
    host: { id: saved.id, name: saved.name },
  };
}
