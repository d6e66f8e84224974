import type { DiskChain, History, HistoryEntry } from '../../../shared/history';
import historyScript from '../host-scripts/history.sh?raw';
import { gatherScript } from '../host-scripts/gather-script';
import { AppError } from '../app-error';
import { captureText, parseGatherOutput, type GatherOutput } from '../inventory/gather-output';
import {
  EXTERNAL_DELETE,
  EXTERNAL_REVERT,
  atLeast,
  parseVersion,
  parseVirshVersion,
} from '../inventory/prerequisites';
import { shellCommand } from '../shell/quote';
import { parseJournal, summarize } from '../snapshot/journal';
import { splitOperationListing } from '../snapshot/operation-listing';
import type { SshConnection } from '../ssh/ssh-connection';
import { explainVirshFailure } from '../virsh/virsh-errors';
import { readSnapshotXml } from './snapshot-xml';

/** A chain longer than this slows every read that misses the top layers: time to merge. */
export const LONG_CHAIN = 5;

type SnapshotFacts = Omit<HistoryEntry, 'sizeBytes' | 'madeByQuiesce' | 'windowMs'>;

/**
 * One `virsh snapshot-dumpxml` document → its entry; null when the text holds no snapshot. The
 * name is the XML's, exact (spaces, quotes, line breaks and all), never a line of virsh's lists.
 */
export function parseSnapshotXml(doc: string): SnapshotFacts | null {
  const s = readSnapshotXml(doc).snapshot;
  if (!s || typeof s.name !== 'string') return null;
  const created = Number(s.creationTime);
  const parent = typeof s.parent?.name === 'string' ? s.parent.name : null;
  return {
    name: s.name,
    description: typeof s.description === 'string' ? s.description : '',
    createdAt:
      Number.isFinite(created) && created > 0 ? new Date(created * 1000).toISOString() : null,
    parent: parent || null,
    state: typeof s.state === 'string' ? s.state.trim() : '',
    disks: (s.disks?.disk ?? []).map((d) => ({
      target: String(d['@name'] ?? ''),
      snapshot: String(d['@snapshot'] ?? ''),
      file: d.source?.['@file'] ?? null,
    })),
  };
}

/**
 * The snapshots history.sh read, in libvirt's topological order: capture `snap:I` is the I-th
 * one's XML. How many there are comes from virsh's table (one row a snapshot, line breaks in
 * names escaped), so a read that failed is known, not silently missing.
 */
export function readSnapshots(g: GatherOutput): { snapshots: SnapshotFacts[]; failed: string[] } {
  const listed = (g.captures.get('table')?.out ?? '').split('\n').filter((l) => l.trim()).length;
  const snapshots: SnapshotFacts[] = [];
  const failed: string[] = [];
  for (let i = 0; i < listed; i++) {
    const c = g.captures.get(`snap:${i}`);
    const s = c && c.rc === 0 ? parseSnapshotXml(c.out) : null;
    if (s) snapshots.push(s);
    else failed.push(c ? captureText(c) : `snapshot ${i + 1} of ${listed} was not read`);
  }
  return { snapshots, failed };
}

/** `qemu-img info --backing-chain --output=json` → the chain, top first. */
export function parseChain(target: string, json: string): DiskChain {
  let layers: DiskChain['layers'] = [];
  try {
    const arr = JSON.parse(json) as {
      filename: string;
      format: string;
      'actual-size'?: number;
      'virtual-size'?: number;
    }[];
    layers = arr.map((l) => ({
      file: l.filename,
      format: l.format,
      actualSize: l['actual-size'] ?? null,
      virtualSize: l['virtual-size'] ?? null,
    }));
  } catch {
    /* unreadable: an empty chain, the UI says so */
  }
  return withWarning({ target, layers });
}

/**
 * `virsh domstats --block --backing`: every layer of every disk, top first, with its size on
 * disk (libvirt reads the images as root; the SSH user usually cannot).
 */
export function parseBlockStats(out: string): DiskChain[] {
  const layers = new Map<number, Record<string, string>>();
  for (const line of out.split('\n')) {
    const m = /^\s*block\.(\d+)\.(\w+)=(.*)$/.exec(line);
    if (!m) continue;
    const i = Number(m[1]);
    layers.set(i, { ...layers.get(i), [m[2]!]: m[3]! });
  }
  const byDisk = new Map<string, DiskChain['layers']>();
  for (const [, l] of [...layers].sort((a, b) => a[0] - b[0])) {
    if (!l.name || !l.path) continue;
    const chain = byDisk.get(l.name) ?? [];
    chain.push({
      file: l.path,
      format: '',
      actualSize: l.physical ? Number(l.physical) : null,
      virtualSize: l.capacity ? Number(l.capacity) : null,
    });
    byDisk.set(l.name, chain);
  }
  return [...byDisk].map(([target, chainLayers]) => withWarning({ target, layers: chainLayers }));
}

function withWarning(chain: DiskChain): DiskChain {
  return chain.layers.length > LONG_CHAIN
    ? {
        ...chain,
        warning: `${chain.layers.length} layers: reads that miss the top layers walk the whole chain. Delete snapshots you no longer need, or merge the chain.`,
      }
    : chain;
}

/** Merges libvirt's view with Quiesce's journals. Pure. */
export function buildHistory(g: GatherOutput, uri: string): History {
  const version = g.captures.get('version');
  if (!version || version.rc !== 0)
    throw explainVirshFailure(version?.err ?? '', uri, version?.rc ?? null);
  for (const id of ['list', 'table']) {
    const c = g.captures.get(id);
    if (!c || c.rc !== 0) throw explainVirshFailure(c?.err ?? '', uri, c?.rc ?? null);
  }
  const { snapshots: listed, failed } = readSnapshots(g);
  if (failed.length > 0) {
    throw new AppError(
      'host-command-failed',
      `${failed.length} of the domain’s snapshots could not be read.`,
      {
        cause: failed.join('\n'),
        remedy:
          'If a snapshot was being made or deleted meanwhile, refresh. Otherwise check the snapshot with virsh snapshot-list on the host.',
      },
    );
  }

  // libvirt's live view first; QEMU's tool where the images were readable (offline domains).
  const fromQemu = [...g.captures]
    .filter(([id, c]) => id.startsWith('chain:') && c.rc === 0)
    .map(([id, c]) => parseChain(id.slice('chain:'.length), c.out));
  const fromLibvirt = parseBlockStats(g.captures.get('blockstats')?.out ?? '');
  const chains = fromLibvirt.length > 0 ? fromLibvirt : fromQemu;
  const sizeOf = new Map(
    chains.flatMap((c) => c.layers.map((l) => [l.file, l.actualSize] as const)),
  );

  const opsText = g.captures.get('ops')?.out ?? '';
  const operations = splitOperationListing(opsText)
    .map((op) => summarize(op.opId, parseJournal(op.journal), true))
    .sort((a, b) => (a.opId < b.opId ? 1 : -1));
  const madeBy = new Map(
    operations
      .filter((o) => o.operation === 'snapshot' && o.state === 'succeeded')
      .map((o) => [o.snapshot, o]),
  );

  const snapshots: HistoryEntry[] = listed.map((s) => {
    const op = madeBy.get(s.name);
    const sizes = s.disks
      .map((d) => (d.file ? sizeOf.get(d.file) : undefined))
      .filter((n): n is number => typeof n === 'number');
    return {
      ...s,
      sizeBytes: sizes.length ? sizes.reduce((a, b) => a + b, 0) : null,
      madeByQuiesce: op !== undefined,
      windowMs: op?.windowMs ?? null,
      ...(op?.label ? { label: op.label } : {}),
      ...(op ? { workstation: op.workstation, user: op.user, opId: op.opId } : {}),
    };
  });

  const info = parseVirshVersion(version.out);
  const v = parseVersion(info.get('Running against daemon') ?? info.get('Using library') ?? '');
  return {
    snapshots,
    chains,
    operations,
    abilities: {
      libvirt: v ? v.join('.') : 'unknown',
      deleteExternal: atLeast(v, EXTERNAL_DELETE),
      revertExternal: atLeast(v, EXTERNAL_REVERT),
    },
  };
}

export async function fetchHistory(
  conn: SshConnection,
  uri: string,
  uuid: string,
  hostDir: string,
): Promise<History> {
  const r = await conn.exec(shellCommand(['sh', '-s', '--', uri, uuid, hostDir]), {
    stdin: gatherScript(historyScript),
    timeoutMs: 60_000,
  });
  if (r.code !== 0) {
    throw new AppError('host-command-failed', 'The history could not be read on the host.', {
      cause: r.stderr.trim() || `exit status ${r.code}`,
    });
  }
  return buildHistory(parseGatherOutput(r.stdout), uri);
}
