import type {
  ExportManifest,
  ExportRestoreOriginalPreview,
  ExportRestoreOriginalResult,
} from '../../../shared/export';
import { AppError } from '../app-error';
import { libvirtXml } from '../history/snapshot-xml';
import { pointDisksAt } from '../revert/revert-plan';

/**
 * Restore from an export OVER the domain it was taken of (docs/export.md, "Restore over the
 * original"), planned here, pure: which disk gets which new standalone image, and the domain's
 * own persistent definition with those disks pointed at them — the revert's edit
 * (revert-plan.ts, `pointDisksAt`: source, format qcow2, stale <backingStore> dropped, everything
 * else as libvirt wrote it), so the name, UUID, interfaces and every other device stay. The host
 * script (host-scripts/export-restore-original.sh) checks, copies, stops, switches and starts.
 */
export interface OriginalPlan {
  name: string;
  /** TARGET, the export's file, the domain's image now, the new image. */
  disks: { target: string; file: string; current: string; image: string }[];
  /** The definition the plan was made from, byte for byte (the script's "unchanged" check). */
  before: string;
  after: string;
}

interface DiskXml {
  '@type'?: string;
  '@device'?: string;
  source?: { '@file'?: string };
  target?: { '@dev'?: string };
}

/** A file name's safe part of a domain's name (libvirt allows more than a file name should). */
const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]/, '_');

export function originalPlan(
  m: ExportManifest,
  definition: string,
  opts: { folder: string; stamp: string },
): OriginalPlan {
  const parsed = libvirtXml.parse(definition) as {
    domain?: { name?: string; devices?: { disk?: DiskXml[] } };
  };
  const name = String(parsed.domain?.name ?? '');
  const disks = (parsed.domain?.devices?.disk ?? []).filter((d) => d['@device'] === 'disk');
  const now = new Map(disks.map((d) => [d.target?.['@dev'] ?? '', d]));
  const exported = new Set(m.disks.map((d) => d.target));
  const notExported = [...now.keys()].filter((t) => !exported.has(t));
  const gone = m.disks.map((d) => d.target).filter((t) => !now.has(t));
  if (gone.length > 0 || notExported.length > 0) {
    throw new AppError(
      'invalid-input',
      `The export’s disks (${[...exported].join(', ')}) are not the domain’s disks now (${[...now.keys()].join(', ')}).`,
      {
        cause: [
          gone.length ? `the domain has no disk ${gone.join(', ')} now` : '',
          notExported.length
            ? `the export does not carry ${notExported.join(', ')}: it would keep today’s data beside the others’ older data`
            : '',
        ]
          .filter(Boolean)
          .join('; '),
        remedy:
          'Restore it as a new domain instead, or make the domain’s disks match the export’s (attach or detach them) and try again.',
      },
    );
  }
  const notFile = m.disks
    .map((d) => d.target)
    .filter((t) => now.get(t)?.['@type'] !== 'file' || !now.get(t)?.source?.['@file']);
  if (notFile.length > 0) {
    throw new AppError(
      'invalid-input',
      `Disk ${notFile.join(', ')} of the domain is not a file: only file-backed disks can be repointed at a restored image.`,
      { remedy: 'Restore it as a new domain instead.' },
    );
  }
  const folder = opts.folder.replace(/\/+$/, '') || '/';
  const planned = m.disks.map((d) => ({
    target: d.target,
    file: d.file,
    current: now.get(d.target)!.source!['@file']!,
    image: `${folder === '/' ? '' : folder}/${fileSafe(name) || 'domain'}-${d.target}.restore-${opts.stamp}.qcow2`,
  }));
  const after = pointDisksAt(
    definition,
    planned.map((d) => ({
      target: d.target,
      frozen: d.image,
      format: 'qcow2',
      current: d.current,
      overlay: d.image,
    })),
  );
  return { name, disks: planned, before: definition, after };
}

/** The script's arguments after the script itself. */
export function originalArgs(
  p: {
    hostDir: string;
    uri: string;
    uuid: string;
    exportFolder: string;
    folder: string;
    apply: boolean;
    stopTimeoutS: number;
    allowForce: boolean;
  },
  plan: OriginalPlan,
): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [
    p.hostDir,
    p.uri,
    p.uuid,
    p.exportFolder,
    p.folder.replace(/\/+$/, '') || '/',
    p.apply ? 'apply' : 'check',
    String(p.stopTimeoutS),
    p.allowForce ? '1' : '0',
    b64(plan.before),
    b64(plan.after),
    ...plan.disks.flatMap((d) => [d.target, d.file, d.image]),
  ];
}

/** What the script printed (its header lists the lines). */
export interface OriginalOutput {
  state: string;
  chains: Map<string, string[]>;
  need: number;
  free: number;
  copied: Map<string, string>;
  stopped: string | null;
  switched: boolean;
  started: boolean;
}

export function readOriginalOutput(stdout: string): OriginalOutput {
  const out: OriginalOutput = {
    state: '',
    chains: new Map(),
    need: 0,
    free: 0,
    copied: new Map(),
    stopped: null,
    switched: false,
    started: false,
  };
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    const word = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    const [first = '', ...tail] = rest.split(' ');
    if (word === 'state') out.state = rest;
    else if (word === 'chain' && first) {
      out.chains.set(first, [...(out.chains.get(first) ?? []), tail.join(' ')]);
    } else if (word === 'need') out.need = Number(rest) || 0;
    else if (word === 'free') out.free = Number(rest) || 0;
    else if (word === 'disk' && first) out.copied.set(first, tail.join(' '));
    else if (word === 'stopped') out.stopped = rest;
    else if (word === 'switched') out.switched = true;
    else if (word === 'started') out.started = true;
  }
  return out;
}

/** What the confirmation shows, from the plan and what the script's check said. */
export function originalPreview(
  plan: OriginalPlan,
  out: OriginalOutput,
  opts: { stamp: string; exportId: string; stopTimeoutS: number; allowForce: boolean },
): ExportRestoreOriginalPreview {
  const willStop = /^(running|paused)/.test(out.state);
  const disks = plan.disks.map((d) => ({
    target: d.target,
    chain: out.chains.get(d.target) ?? [],
    current: d.current,
    image: d.image,
  }));
  return {
    name: plan.name,
    stamp: opts.stamp,
    domainState: out.state,
    willStop,
    disks,
    needBytes: out.need,
    freeBytes: out.free,
    text: {
      stops: willStop
        ? `${plan.name} is ${out.state}: it is shut down (through its agent, else ACPI) once the images are copied, and started again afterwards.${opts.allowForce ? ` If it has not stopped after ${opts.stopTimeoutS} s, it is powered off.` : ` If it has not stopped after ${opts.stopTimeoutS} s, nothing changes.`}`
        : `${plan.name} is ${out.state}: it stays off.`,
      replaced: `Its disks become what they were in the export ${opts.exportId}: ${disks
        .map(
          (d) =>
            `${d.target} from ${d.chain.length > 1 ? `a chain of ${d.chain.length} exports` : 'one export'}, copied into ${d.image}`,
        )
        .join('; ')}. Anything written since is not in them. Its name, UUID and devices stay.`,
      kept: `Nothing is deleted: its images now (${disks.map((d) => d.current).join(', ')}) stay where they are, no longer used by ${plan.name}; the export is only read. Delete the old images yourself once the restored guest is right.`,
    },
  };
}

/** The call's answer once applied. */
export function originalApplied(
  plan: OriginalPlan,
  out: OriginalOutput,
): NonNullable<ExportRestoreOriginalResult['applied']> {
  if (!out.switched) {
    throw new Error('the restore script ended without switching the definition');
  }
  return {
    stopped: out.stopped,
    started: out.started,
    disks: plan.disks.map((d) => ({
      target: d.target,
      image: out.copied.get(d.target) ?? d.image,
      kept: d.current,
    })),
  };
}

/** The script's refusals (its header) in the admin's terms. */
export function originalFailure(code: number | null, stderr: string, exportId: string): AppError {
  const why = stderr.trim();
  const refused = (message: string, remedy: string) =>
    new AppError('invalid-input', message, { cause: why, remedy });
  switch (code) {
    case 3:
      return new AppError(
        'not-found',
        `The export ${exportId} is not complete or its chain is broken.`,
        {
          cause: why,
          remedy: 'Verify the export; restore another one.',
        },
      );
    case 65:
    case 66:
      return refused(
        'The folder for the restored images cannot take them.',
        'Choose a folder this host user can write to, where no image of that name exists.',
      );
    case 67:
      return refused(
        'The folder for the restored images has too little room.',
        'Choose a folder with more room.',
      );
    case 68:
      return refused(
        'The domain has snapshots: restoring over it would orphan them.',
        'Delete or merge its snapshots in the history first (or restore the export as a new domain).',
      );
    case 69:
      return refused(
        'The domain’s definition changed since this restore was shown.',
        'Look at the restore again and confirm what it shows now.',
      );
    case 75:
      return new AppError('host-command-failed', 'Another operation runs on this domain.', {
        cause: why,
        remedy: 'Wait for it to finish and try again.',
      });
    case 71:
      return new AppError(
        'host-command-failed',
        'The restore failed and the domain’s old definition could not be put back.',
        { cause: why, remedy: 'Define the old definition with virsh, as the cause says.' },
      );
    default:
      return new AppError(
        'host-command-failed',
        `The export ${exportId} could not be restored over the domain; it is as it was.`,
        { cause: why || `exit status ${code}` },
      );
  }
}
