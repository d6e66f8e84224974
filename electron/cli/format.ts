import type { MethodOutput } from '../../shared/contract';
import type { AppErrorShape } from '../../shared/errors';
import type { ConnectResult, HostProfile } from '../../shared/hosts';
import type { History } from '../../shared/history';
import type { DoctorReport } from '../../shared/readiness';
import type { RestoreTestResult } from '../../shared/restore-test';
import type { RevertPreview, RevertSummary } from '../../shared/revert';
import { shellCommand } from '../../shared/shell-command';
import type { OperationSummary, SnapshotLabel } from '../../shared/snapshot';

/**
 * What `quiesce` prints for people: one function per answer, text in, text out. Pure, so each
 * is tested without a host. (With --json, stdout carries the services' answers instead.)
 */

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function size(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

export function labelText(label: SnapshotLabel | undefined): string {
  switch (label?.kind) {
    case undefined:
      return 'no label';
    case 'quiesced':
      return `quiesced (${label.filesystems} filesystem${label.filesystems === 1 ? '' : 's'})`;
    case 'test-freeze':
      return `test freeze (${label.filesystems} filesystem${label.filesystems === 1 ? '' : 's'})`;
    case 'crash-consistent':
      return `crash-consistent (${label.reason})`;
    case 'offline':
      return 'offline (the domain was not running)';
    case 'paused':
      return 'crash-consistent (the guest was paused)';
    case 'checkpoint':
      return 'full checkpoint (memory and disks of the paused guest)';
  }
}

/** An error as the app shows it: what happened, why, what to do. */
export function errorText(e: AppErrorShape): string {
  return [
    `quiesce: ${e.message}`,
    ...(e.cause ? [`  why: ${e.cause}`] : []),
    ...(e.remedy ? [`  what to do: ${e.remedy}`] : []),
  ].join('\n');
}

/** A host-key outcome that stopped the connect, with the fingerprint, and what the admin can do. */
export function hostKeyRefusalText(
  result: Exclude<ConnectResult, { status: 'connected' }>,
  host: Pick<HostProfile, 'name' | 'address' | 'port'>,
): AppErrorShape {
  const where = `${host.name} (${host.address}:${host.port})`;
  switch (result.status) {
    case 'host-key-unknown':
      return {
        code: 'connect-failed',
        message: `${where} offers a host key that is not in ${result.knownHostsPath}: ${result.hostKey.type} ${result.hostKey.fingerprint}. Not accepted.`,
        ...(result.knownTypes.length > 0
          ? {
              cause: `known_hosts knows this host only with other key types (${result.knownTypes.join(', ')}).`,
            }
          : {}),
        remedy: `Compare the fingerprint with the host's own (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${keyFileType(result.hostKey.type)}_key.pub); if it matches, run ${shellCommand(['quiesce', 'trust', host.name, result.hostKey.fingerprint])}, or connect once from the app.`,
      };
    case 'host-key-changed':
      return {
        code: 'connect-failed',
        message: `${where} offers a DIFFERENT host key than ${result.knownHostsPath} has: ${result.hostKey.type} ${result.hostKey.fingerprint}. Refused.`,
        cause: `known_hosts has ${result.expected
          .map((e) => `${e.type} ${e.fingerprint} (line ${e.line})`)
          .join(', ')}. Someone may be intercepting the connection, or the host was reinstalled.`,
        remedy: `Find out why the key changed. Only if the new key is genuine: ${shellCommand([
          'ssh-keygen',
          '-R',
          host.port === 22 ? host.address : `[${host.address}]:${host.port}`,
          '-f',
          result.knownHostsPath,
        ])}, then quiesce trust.`,
      };
    case 'host-key-revoked':
      return {
        code: 'connect-failed',
        message: `${where} offers a REVOKED host key: ${result.hostKey.type} ${result.hostKey.fingerprint}. Refused.`,
        cause: `${result.knownHostsPath} line ${result.line} marks it @revoked.`,
        remedy: 'Do not connect; ask the host’s administrator for its current key.',
      };
    case 'passphrase-required':
      return {
        code: 'key-file',
        message: result.wrong
          ? `The passphrase for ${result.keyPath} is wrong.`
          : `The key file ${result.keyPath} is encrypted.`,
        remedy:
          'Load the key into ssh-agent (ssh-add), or set QUIESCE_KEY_PASSPHRASE for this command.',
      };
  }
}

/** ssh-ed25519 → ed25519, as the host's key file is named. */
function keyFileType(type: string): string {
  if (type.startsWith('ecdsa')) return 'ecdsa';
  if (type === 'ssh-rsa' || type.startsWith('rsa-')) return 'rsa';
  return type.replace(/^ssh-/, '');
}

export function hostsText(hosts: readonly HostProfile[]): string {
  if (hosts.length === 0) return 'No saved hosts. Add one in the Quiesce app.';
  return table([
    ['NAME', 'ADDRESS', 'USER', 'LIBVIRT', 'ID'],
    ...hosts.map((h) => [
      h.name,
      h.port === 22 ? h.address : `${h.address}:${h.port}`,
      h.user,
      h.libvirtUri,
      h.id,
    ]),
  ]);
}

export function domainsText(list: MethodOutput<'domains.list'>): string {
  const rows = table([
    ['NAME', 'STATE', 'READINESS', 'UUID'],
    ...list.domains.map((d) => [d.name, d.state, d.readiness.label, d.uuid]),
  ]);
  const missing = list.prerequisites.filter((p) => !p.ok);
  return [
    list.domains.length === 0 ? 'No domains.' : rows,
    ...missing.map((p) => `missing: ${p.label}: ${p.detail}${p.remedy ? ` (${p.remedy})` : ''}`),
  ].join('\n');
}

export function operationText(s: OperationSummary): string {
  const what = s.operation === 'test-freeze' ? 'Test freeze' : `Snapshot ${s.snapshot}`;
  const lines = [
    `${what}: ${s.state}${s.label ? `, ${labelText(s.label)}` : ''}`,
    `  blocked writes: ${duration(s.windowMs)}  (operation ${s.opId})`,
  ];
  if (s.watchdog) lines.push(`  watchdog: ${s.watchdog}`);
  if (s.error) lines.push(errorText(s.error).replace(/^quiesce: /, '  '));
  return lines.join('\n');
}

export function operationsText(ops: readonly OperationSummary[]): string {
  if (ops.length === 0) return 'No operations on this host.';
  return table([
    ['STARTED', 'KIND', 'SNAPSHOT', 'STATE', 'LABEL', 'WINDOW', 'DOMAIN'],
    ...ops.map((o) => [
      o.startedAt ?? '—',
      o.operation,
      o.operation === 'snapshot' ? o.snapshot : '—',
      o.state,
      o.label?.kind ?? '—',
      duration(o.windowMs),
      o.uuid,
    ]),
  ]);
}

export function historyText(h: History): string {
  const out: string[] = [];
  out.push(
    h.snapshots.length === 0
      ? 'No snapshots.'
      : table([
          ['NAME', 'CREATED', 'LABEL', 'WINDOW', 'SIZE'],
          ...h.snapshots.map((s) => [
            s.name,
            s.createdAt ?? '—',
            s.madeByQuiesce ? labelText(s.label) : 'not made by Quiesce',
            duration(s.windowMs),
            size(s.sizeBytes),
          ]),
        ]),
  );
  for (const c of h.chains) {
    out.push(
      `disk ${c.target}: ${c.layers.length} layer${c.layers.length === 1 ? '' : 's'}, top ${c.layers[0]?.file ?? '—'}`,
    );
    if (c.warning) out.push(`  ${c.warning}`);
  }
  out.push(
    `libvirt ${h.abilities.libvirt}: delete ${h.abilities.deleteExternal ? 'yes' : 'no'}, libvirt's own revert ${h.abilities.revertExternal ? 'yes' : 'no'} (quiesce revert works on any)`,
  );
  return out.join('\n');
}

const VERDICT: Record<DoctorReport['steps'][number]['verdict'], string> = {
  pass: 'ok  ',
  fail: 'FAIL',
  warn: 'warn',
  skip: 'skip',
};

export function doctorText(r: DoctorReport): string {
  const out = [`${r.name}: ${r.readiness.label} — ${r.readiness.detail}`];
  if (r.readiness.remedy) out.push(`  what to do: ${r.readiness.remedy}`);
  for (const s of r.steps) {
    out.push(`${VERDICT[s.verdict]}  ${s.title}  (${duration(s.ms)})`);
    if (s.verdict !== 'pass' && s.verdict !== 'skip') out.push(`      ${s.explanation}`);
  }
  for (const fs of r.filesystems ?? []) {
    out.push(`fs    ${fs.mountpoint} ${fs.type} on ${fs.devices.join(', ') || '—'}`);
    if (fs.warning) out.push(`      ${fs.warning}`);
  }
  if (r.channelXml) out.push('channel to add (quiesce add-agent-channel):', r.channelXml);
  if (r.install && r.readiness.level !== 'ready')
    out.push(`install the agent (${r.install.os}):`, ...r.install.commands.map((c) => `  ${c}`));
  return out.join('\n');
}

export function revertPreviewText(p: RevertPreview): string {
  return [
    `stops:   ${p.text.stops}`,
    `kept:    ${p.text.kept}`,
    `becomes: ${p.text.becomes}`,
    ...p.disks.map((d) => `disk ${d.target}: ${d.frozen} ← new overlay ${d.overlay}`),
  ].join('\n');
}

export function revertText(s: RevertSummary): string {
  const lines = [`Revert ${s.opId}: ${s.state}${s.outcome ? ` (${s.outcome})` : ''}`];
  if (s.message) lines.push(`  ${s.message}`);
  if (s.failedPhase) lines.push(`  failed at: ${s.failedPhase}`);
  for (const x of s.settled) lines.push(`  settled earlier revert ${x.opId}: ${x.act}`);
  if (s.agentAfterS !== null) lines.push(`  the agent answered ${s.agentAfterS} s after the start`);
  return lines.join('\n');
}

export function branchesText(b: MethodOutput<'revert.branches'>): string {
  const rows = b.branches.map((x) => [
    x.id,
    x.createdAt ?? '—',
    x.revertedTo.kind === 'snapshot' ? `→ ${x.revertedTo.name}` : `→ branch ${x.revertedTo.id}`,
    x.from ?? '—',
    size(x.sizeBytes),
    x.deleted ? 'deleted' : x.intact ? 'intact' : 'incomplete',
  ]);
  return [
    `current snapshot: ${b.current ?? 'none'}`,
    b.branches.length === 0
      ? 'No discarded branches.'
      : table([['ID', 'CREATED', 'REVERTED TO', 'FROM', 'SIZE', 'STATE'], ...rows]),
  ].join('\n');
}

export function restoreTestText(r: RestoreTestResult): string {
  const verdict =
    r.restorable === true
      ? `restorable — booted in ${r.bootS ?? '?'} s, the agent answered, ${r.filesystems.length} filesystem${r.filesystems.length === 1 ? '' : 's'} mounted ${r.recovery === true ? 'after journal recovery' : r.recovery === false ? 'clean' : '(recovery unknown)'}`
      : r.restorable === false
        ? `NOT restorable${r.message ? `: ${r.message}` : ''}`
        : r.state;
  return [
    `Restore test ${r.opId}: ${verdict}`,
    ...r.filesystems.map((f) => `  ${f.mountpoint} ${f.type} (${f.name})`),
    `  clone ${r.clone ?? '—'}: ${r.cloneGone === true ? 'removed' : r.cloneGone === false ? 'NOT removed' : 'unknown'}`,
  ].join('\n');
}

export function restoreTestsText(results: readonly RestoreTestResult[]): string {
  if (results.length === 0) return 'No restore tests.';
  return table([
    ['STARTED', 'SNAPSHOT', 'STATE', 'VERDICT', 'BOOT', 'OPERATION'],
    ...results.map((r) => [
      r.startedAt ?? '—',
      r.snapshot ?? '—',
      r.state,
      r.restorable === true
        ? `restorable${r.recovery === true ? ' (journal recovery)' : ''}`
        : r.restorable === false
          ? 'NOT restorable'
          : '—',
      r.bootS === null ? '—' : `${r.bootS} s`,
      r.opId,
    ]),
  ]);
}
