import { AppError } from '../app-error';
import { libvirtXml, readSnapshotXml } from '../history/snapshot-xml';
import { buildOrdered, childrenOf, parseOrdered, tagOf } from './ordered-xml';
import type { Branch, RevertDisk, RevertPreview, RevertTarget } from '../../../shared/revert';

/**
 * The plan of one revert, made in the app from what libvirt said (pure: text in, text out), so
 * the host runner (host-scripts/revert-runner.sh) only creates files and defines the result:
 * - which image each disk goes back to (the snapshot's frozen image: the disk's source in the
 *   definition the snapshot recorded at its cut, i.e. the top of the chain when it was cut);
 * - the new overlay per disk (next to the disk's current file);
 * - the persistent definition with those disks pointed at the new overlays.
 *
 * Why an XML parser here and `virsh define` there: libvirt replaces a whole <disk> element on
 * `update-device --config`, so either way the element must be rewritten; the host has only
 * sh/sed/awk (no virt-xml on a minimal host) and editing XML with them breaks on the first
 * attribute order or escape they did not expect. One define switches every disk at once, and
 * `virsh define before.xml` is an exact way back.
 */

/** A disk of a domain definition: a file (`@type`) used as a disk (`@device`, not a cdrom). */
interface DiskXml {
  '@type'?: string;
  '@device'?: string;
  driver?: { '@type'?: string };
  source?: { '@file'?: string };
  target?: { '@dev'?: string };
}

/** A domain definition's file-backed disks (device "disk"): target → file and format. */
export function fileDisks(domainXml: string): Map<string, { file: string; format: string }> {
  const parsed = libvirtXml.parse(domainXml) as { domain?: { devices?: { disk?: DiskXml[] } } };
  const out = new Map<string, { file: string; format: string }>();
  for (const d of parsed.domain?.devices?.disk ?? []) {
    const target = d.target?.['@dev'];
    const file = d.source?.['@file'];
    if (d['@device'] !== 'disk' || d['@type'] !== 'file' || !target || !file) continue;
    out.set(target, { file, format: d.driver?.['@type'] ?? 'raw' });
  }
  return out;
}

/**
 * A snapshot's frozen image per disk, from `virsh snapshot-dumpxml`: its own <disks> say which
 * disks it covers (snapshot='external'); the <domain> it recorded says what each disk was at the
 * cut. Throws when the snapshot does not hold what a revert needs.
 */
export function frozenImages(snapshotXml: string): Map<string, { file: string; format: string }> {
  const { snapshot, domain } = readSnapshotXml(snapshotXml);
  if (!domain) {
    throw new AppError('host-command-failed', 'The snapshot does not record the domain’s disks.', {
      remedy: 'Only external disk snapshots that recorded their domain can be reverted by Quiesce.',
    });
  }
  const covered = new Set(
    (snapshot?.disks?.disk ?? [])
      .filter((d) => d['@snapshot'] === 'external')
      .map((d) => String(d['@name'] ?? '')),
  );
  const atCut = fileDisks(domain);
  const out = new Map<string, { file: string; format: string }>();
  for (const [target, image] of atCut) if (covered.has(target)) out.set(target, image);
  if (out.size === 0) {
    throw new AppError('host-command-failed', 'The snapshot covers no file-backed disk.', {
      remedy: 'Only external disk snapshots of file-backed disks can be reverted by Quiesce.',
    });
  }
  return out;
}

/**
 * A full checkpoint's memory image (`<memory snapshot='external' file='…'/>` in
 * `virsh snapshot-dumpxml`), or null for a disk-only snapshot. libvirt before 9.9 cannot revert
 * it; Quiesce's runner restores it (`virsh restore FILE --xml restore.xml`) once the disks point
 * at their new overlays, so the guest resumes where the checkpoint was taken.
 */
export function memoryImage(snapshotXml: string): string | null {
  const m = readSnapshotXml(snapshotXml).snapshot?.memory;
  return m?.['@snapshot'] === 'external' && m['@file'] ? m['@file'] : null;
}

/** The new overlay's file: next to the disk's current file, named after the revert. */
export function overlayPath(current: string, opId: string): string {
  const slash = current.lastIndexOf('/');
  const dir = current.slice(0, slash);
  const root = current.slice(slash + 1).split('.')[0] || 'disk';
  return `${dir}/${root}.revert-${opId}.qcow2`;
}

/** The disks of a revert: each covered disk's frozen image, current file and new overlay. */
export function revertDisks(
  definition: string,
  frozen: Map<string, { file: string; format: string }>,
  opId: string,
): RevertDisk[] {
  const now = fileDisks(definition);
  return [...frozen].map(([target, image]) => {
    const current = now.get(target);
    if (!current) {
      throw new AppError(
        'host-command-failed',
        `The domain has no file-backed disk ${target} now.`,
        {
          remedy: 'The snapshot was taken with a disk the domain no longer has: revert by hand.',
        },
      );
    }
    return {
      target,
      frozen: image.file,
      format: image.format,
      current: current.file,
      overlay: overlayPath(current.file, opId),
    };
  });
}

/**
 * For libvirt's own revert (revert-procedure.ts): the snapshot that keeps the left state, one
 * line a disk in the runner's plan form — the disk's current file (it becomes that snapshot's
 * frozen image) and the keep snapshot's overlay next to it (`<root>.keep-<op>.qcow2`).
 */
export function keepDisks(definition: string, disks: readonly RevertDisk[], opId: string) {
  const now = fileDisks(definition);
  return disks.map((d) => ({
    ...d,
    frozen: d.current,
    format: now.get(d.target)?.format ?? 'qcow2',
    overlay: overlayPath(d.current, opId).replace(/\.revert-([^/]*)$/, '.keep-$1'),
  }));
}

/**
 * The persistent definition with each planned disk's source pointed at its new overlay, its
 * format qcow2, and its recorded backing chain dropped (libvirt reads the new chain from the
 * overlay's header at the next start; a stale <backingStore> would be trusted instead).
 * Everything else is kept as libvirt wrote it.
 */
export function pointDisksAt(definition: string, disks: readonly RevertDisk[]): string {
  const doc = parseOrdered(definition);
  const byTarget = new Map(disks.map((d) => [d.target, d]));
  const done = new Set<string>();
  const domain = doc.find((n) => tagOf(n) === 'domain');
  const devices = domain && childrenOf(domain).find((n) => tagOf(n) === 'devices');
  for (const disk of devices ? childrenOf(devices).filter((n) => tagOf(n) === 'disk') : []) {
    const kids = childrenOf(disk);
    const target = kids.find((n) => tagOf(n) === 'target')?.[':@']?.['@dev'];
    const plan = target ? byTarget.get(target) : undefined;
    if (!plan || disk[':@']?.['@device'] !== 'disk') continue;
    const source = kids.find((n) => tagOf(n) === 'source');
    if (!source?.[':@']?.['@file']) continue;
    source[':@']['@file'] = plan.overlay;
    const driver = kids.find((n) => tagOf(n) === 'driver');
    if (driver?.[':@']) driver[':@']['@type'] = 'qcow2';
    disk.disk = kids.filter((n) => tagOf(n) !== 'backingStore');
    done.add(plan.target);
  }
  const missing = disks.filter((d) => !done.has(d.target)).map((d) => d.target);
  if (missing.length > 0) {
    throw new AppError('host-command-failed', `The definition has no disk ${missing.join(', ')}.`);
  }
  return buildOrdered(doc);
}

/**
 * The snapshots the guest leaves behind: from the current snapshot up its parents to the target
 * (exclusive). They stay in libvirt (revertable) and are listed with the discarded branch.
 */
export function laterSnapshots(
  snapshots: readonly { name: string; parent: string | null }[],
  current: string | null,
  target: string | null,
): string[] {
  const parentOf = new Map(snapshots.map((s) => [s.name, s.parent]));
  const out: string[] = [];
  for (let s = current; s !== null && s !== target && !out.includes(s); s = parentOf.get(s) ?? null)
    out.push(s);
  return out.reverse();
}

/** The branch record the runner appends when the switch is done (branch.json). */
export function branchRecord(
  opId: string,
  uuid: string,
  target: RevertTarget,
  from: string | null,
  disks: readonly RevertDisk[],
  snapshots: readonly string[],
): string {
  return JSON.stringify({
    ev: 'branch',
    id: opId,
    uuid,
    revertedTo: target,
    from,
    // paths base64, like every host string in a record a shell script reads (branches-list.sh)
    disks: disks.map((d) => ({
      target: d.target,
      top: Buffer.from(d.current, 'utf8').toString('base64'),
      format: 'qcow2',
    })),
    snapshots,
  });
}

/** The runner's plan file: TARGET FORMAT FROZEN OVERLAY, tab-separated, paths base64. */
export function planText(disks: readonly RevertDisk[]): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return disks
    .map((d) => {
      if (!/^[A-Za-z0-9]+$/.test(d.target)) {
        throw new AppError('invalid-input', `Disk target “${d.target}” is not a plain name.`);
      }
      if (d.format !== 'qcow2' && d.format !== 'raw') {
        throw new AppError(
          'host-command-failed',
          `Disk ${d.target}: its frozen image is ${d.format}, and only qcow2 or raw can be a backing file here.`,
        );
      }
      return [d.target, d.format, b64(d.frozen), b64(d.overlay)].join('\t');
    })
    .join('\n')
    .concat('\n');
}

/** What the confirmation says, in words. */
export function previewText(p: {
  domainState: string;
  target: RevertTarget;
  disks: readonly RevertDisk[];
  laterSnapshots: readonly string[];
  allowForceHint: boolean;
  /** A full checkpoint: the guest resumes from its saved memory. */
  memory?: boolean;
}): RevertPreview['text'] {
  const running = /^(running|paused)/.test(p.domainState);
  const what =
    p.target.kind === 'snapshot'
      ? `the snapshot “${p.target.name}”`
      : `the discarded branch ${p.target.id}`;
  return {
    stops: running
      ? `The guest is ${p.domainState}: it is shut down (through its agent, else ACPI) and started again afterwards.${p.allowForceHint ? ' If it does not stop in time, it is powered off.' : ' If it does not stop in time, nothing changes.'}`
      : `The guest is ${p.domainState}: it stays off.`,
    kept: `Nothing is deleted. Its disks as they are now (${p.disks.map((d) => d.current).join(', ')})${p.laterSnapshots.length ? ` and the snapshots after it (${p.laterSnapshots.join(', ')})` : ''} are kept as a discarded branch in the history, which you can revert to or delete.`,
    becomes: p.memory
      ? `The guest resumes exactly where it was at ${what} (a full checkpoint: its memory and disks), running if it runs now, else paused: anything written after it is not in it.`
      : `The guest’s disks become exactly what they were at ${what}: anything written after it is not in them. The domain’s configuration (memory, devices) stays as it is now.`,
  };
}

export type { Branch };
