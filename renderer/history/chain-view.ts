import type { DiskChain, HistoryEntry } from '../../shared/history';

/** One disk's part of deleting a snapshot: its overlay merges into the image below it. */
export interface DeleteStep {
  target: string;
  /** The overlay that took the writes made after the snapshot. */
  overlay: string;
  /** The image the snapshot froze (the overlay's backing file), when the chain names it. */
  into: string | null;
  /** Layers of this disk's chain now, and after the delete. */
  layers: number;
}

/** The external disks of a snapshot: the ones that have an overlay file. */
export function overlaysOf(entry: Pick<HistoryEntry, 'disks'>) {
  return entry.disks.filter(
    (d): d is typeof d & { file: string } => d.snapshot === 'external' && d.file !== null,
  );
}

/**
 * What deleting `entry` does to each disk, read from the chains (top first): libvirt commits the
 * overlay that holds the writes made after the snapshot into its backing file (the image the
 * snapshot froze), and the chain loses one layer. A disk whose overlay is not in the chain any
 * more (merged away already) has nothing to merge.
 */
export function deletePlan(entry: Pick<HistoryEntry, 'disks'>, chains: readonly DiskChain[]) {
  return overlaysOf(entry).map((disk): DeleteStep => {
    const chain = chains.find((c) => c.target === disk.target);
    const at = chain?.layers.findIndex((l) => l.file === disk.file) ?? -1;
    return {
      target: disk.target,
      overlay: disk.file,
      into: chain && at >= 0 ? (chain.layers[at + 1]?.file ?? null) : null,
      layers: chain && at >= 0 ? chain.layers.length : 0,
    };
  });
}

/** What a layer of a chain is, in words: the live top, the base, or the writes after a snapshot. */
export interface LayerRole {
  top: boolean;
  base: boolean;
  /** The snapshot after which this overlay took the writes. */
  writesAfter?: string;
  /** The snapshots whose point in time this image holds (it is their overlay's backing). */
  frozenBy: string[];
}

export function layerRoles(
  chain: DiskChain,
  snapshots: readonly Pick<HistoryEntry, 'name' | 'disks'>[],
): LayerRole[] {
  const after = new Map<string, string>();
  for (const s of snapshots) {
    for (const d of s.disks) if (d.target === chain.target && d.file) after.set(d.file, s.name);
  }
  return chain.layers.map((layer, i) => {
    const above = chain.layers[i - 1];
    const frozen = above ? after.get(above.file) : undefined;
    const writesAfter = after.get(layer.file);
    return {
      top: i === 0,
      base: i === chain.layers.length - 1,
      ...(writesAfter ? { writesAfter } : {}),
      frozenBy: frozen ? [frozen] : [],
    };
  });
}

/** The chains that have anything to merge (more than their base image). */
export function mergeable(chains: readonly DiskChain[]): DiskChain[] {
  return chains.filter((c) => c.layers.length > 1);
}
