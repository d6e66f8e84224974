import { resolve } from 'node:path';
import { ok } from './command-result';
import { EXIT, exitForExport } from './exit-codes';
import {
  exportProgressText,
  exportsText,
  exportSpaceText,
  exportSummaryText,
  exportVerificationText,
  exportPruneText,
} from './export-format';
import { pollUntilDone } from './follow-operation';
import { commandFamily } from './command-family';
import { size } from './format';
import { PolledProgress } from './progress';

/** `quiesce export …` over the app's export methods (export.*). */
export const exportCommands = commandFamily('export', async (cmd, s, host, progress) => {
  const hostId = host.id;
  if (cmd.name === 'export-cancel') {
    await s.call('export.cancel', { hostId, opId: cmd.opId });
    return ok({ cancelled: cmd.opId }, `Export ${cmd.opId} cancelled; its files are removed.`);
  }
  if (cmd.name === 'export-ls') {
    const d = cmd.domain ? await s.domain(host, cmd.domain) : undefined;
    const all = await s.call('export.list', { hostId, ...(d ? { uuid: d.uuid } : {}) });
    // A folder given as typed may end in "/": compare without it.
    const strip = (f: string) => f.replace(/\/+$/, '') || '/';
    const r = cmd.dest
      ? { exports: all.exports.filter((e) => strip(e.dest) === strip(cmd.dest!)) }
      : all;
    return {
      ...ok(r, exportsText(r.exports)),
      ...(d ? { domain: { uuid: d.uuid, name: d.name } } : {}),
    };
  }
  const d = await s.domain(host, cmd.domain);
  const ref = { hostId, uuid: d.uuid };
  const domain = { domain: { uuid: d.uuid, name: d.name } };
  switch (cmd.name) {
    case 'export-start': {
      const { opId } = await s.call('export.start', {
        ...ref,
        dest: cmd.dest,
        // a snapshot has no checkpoint: its export is full (the runner says so for an incremental)
        mode: cmd.full || cmd.snapshot ? 'full' : 'incremental',
        ...(cmd.snapshot ? { snapshot: cmd.snapshot } : {}),
        policy: cmd.allowCrashConsistent ? 'allow-crash-consistent' : 'require',
        ...(cmd.maxFreezeS === undefined ? {} : { maxFreezeS: cmd.maxFreezeS }),
      });
      progress(`export ${opId}: started`);
      const shown = new PolledProgress();
      const r = await pollUntilDone(
        () => s.call('export.get', { hostId, opId }),
        (a) => shown.lines(a.phases, exportProgressText(a.progress)).forEach(progress),
      );
      return { exit: exitForExport(r), result: r, text: exportSummaryText(r), ...domain };
    }
    case 'export-space': {
      const r = await s.call('export.space', { ...ref, dest: cmd.dest });
      return { ...ok(r, exportSpaceText(r)), ...domain };
    }
    case 'export-verify': {
      const r = await s.call('export.verify', { ...ref, dest: cmd.dest, exportId: cmd.exportId });
      return {
        exit: r.ok ? EXIT.ok : EXIT.failed,
        result: r,
        text: exportVerificationText(cmd.exportId, r),
        ...domain,
      };
    }
    case 'export-copy': {
      // The other host is connected like any other: its key checked against known_hosts.
      const to = cmd.toHost
        ? { kind: 'host' as const, hostId: (await s.connect(cmd.toHost)).host.id, folder: cmd.to }
        : { kind: 'workstation' as const, folder: resolve(cmd.to) };
      progress(`copying export ${cmd.exportId} …`);
      const r = await s.call('export.copy', {
        ...ref,
        dest: cmd.dest,
        exportId: cmd.exportId,
        to,
      });
      return {
        ...ok(
          r,
          `Copied ${r.copied.length} export${r.copied.length === 1 ? '' : 's'} (${r.copied.join(', ')}; ${size(r.bytes)}) to ${r.to}; checksums checked, manifests last.`,
        ),
        ...domain,
      };
    }
    case 'export-prune': {
      const r = await s.call('export.prune', {
        ...ref,
        dest: cmd.dest,
        apply: cmd.apply,
        ...(cmd.keep === undefined ? {} : { keep: cmd.keep }),
        ...(cmd.exportId === undefined ? {} : { exportId: cmd.exportId }),
      });
      return { ...ok(r, exportPruneText(r, cmd.apply)), ...domain };
    }
  }
});
