import type { DiskChain, HistoryEntry } from '../../shared/history';
import { ConfirmDialog, type ConfirmAnswer } from '../ui/confirm-dialog';
import { mergeable } from './chain-view';

/**
 * Asks before every disk's chain is folded into its base image (blockcommit --active --pivot):
 * the data stays, every snapshot's point in time goes, and the snapshots leave the list. The
 * safe choice has the focus.
 */
export function MergeDialog({
  domain,
  chains,
  snapshots,
  ...answer
}: ConfirmAnswer & {
  domain: string;
  chains: readonly DiskChain[];
  snapshots: readonly HistoryEntry[];
}) {
  const toMerge = mergeable(chains);
  const n = snapshots.length;
  return (
    <ConfirmDialog
      testIds="chain-merge"
      title={`Merge the disk chains of ${domain}?`}
      confirmText="Merge into the base image"
      {...answer}
    >
      <ul className="delete-plan">
        {toMerge.map((c) => (
          <li key={c.target}>
            <span className="mono">{c.target}</span>: {c.layers.length} layers → 1. Every overlay is
            folded into the base image <span className="mono path">{c.layers.at(-1)!.file}</span>,
            and the guest then writes to it directly.
          </li>
        ))}
      </ul>
      <p>
        <strong>
          {n === 0
            ? 'No snapshot is listed for this domain'
            : n === 1
              ? 'The snapshot of this domain'
              : `Every snapshot of this domain (${n})`}
        </strong>
        {n > 0 && (
          <>
            {' '}
            — <span className="mono">{snapshots.map((s) => s.name).join(', ')}</span> —{' '}
            {n === 1 ? 'is' : 'are'} folded into the base image and removed from the list
          </>
        )}
        . <strong>The data stays</strong>; the points in time are gone.
      </p>
      <p className="muted small">
        The guest keeps running while libvirt merges (virsh blockcommit --active --pivot); the
        progress shows under Disk chains. The overlay files stay on the host’s disk: remove them
        when nothing needs them.
      </p>
    </ConfirmDialog>
  );
}
