import { useRef } from 'react';
import type { DiskChain, History, HistoryEntry } from '../../shared/history';
import { ConfirmDialog, type ConfirmAnswer } from '../ui/confirm-dialog';
import { Dialog } from '../ui/dialog';
import { Remedy } from '../ui/remedy';
import { deletePlan } from './chain-view';
import { formatFullTime } from './history-format';
import { DELETE_SINCE } from './manual-revert';

/**
 * Asks before a snapshot is deleted, saying what happens to each disk's chain: on libvirt ≥ 9.0
 * the overlay holding the writes made after the snapshot is merged into the image below it, so
 * no data is lost but the point in time is. Where this libvirt cannot, says why and what to do.
 * The safe choice has the focus.
 */
export function DeleteDialog({
  entry,
  chains,
  abilities,
  ...answer
}: ConfirmAnswer & {
  entry: HistoryEntry;
  chains: readonly DiskChain[];
  abilities: History['abilities'];
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const { name } = entry;

  if (!abilities.deleteExternal) {
    return (
      <Dialog
        title={`“${name}” cannot be deleted here`}
        onClose={answer.onCancel}
        testId="history-delete-explain"
        initialFocus={cancelRef}
        tone="warning"
      >
        <p>
          libvirt {abilities.libvirt} on this host cannot delete an external snapshot: merging a
          snapshot’s overlay back into its chain arrived in libvirt {DELETE_SINCE}.
        </p>
        <Remedy
          text={`Merge the chain instead (Disk chains → Merge chain): it folds every snapshot of this domain into its base image, keeping the data. Or upgrade libvirt on the host to ${DELETE_SINCE} or later, then delete snapshots one by one.`}
        />
        <div className="dialog-actions">
          <button type="button" ref={cancelRef} className="primary" onClick={answer.onCancel}>
            Close
          </button>
        </div>
      </Dialog>
    );
  }

  const plan = deletePlan(entry, chains);
  // A snapshot made outside Quiesce may be internal: stored inside the image, not an overlay.
  const internal = entry.disks.filter((d) => d.snapshot === 'internal');
  const when = formatFullTime(entry.createdAt);
  return (
    <ConfirmDialog
      testIds="history-delete"
      title={`Delete the snapshot “${name}”?`}
      confirmText="Delete snapshot"
      busyText="Deleting…"
      {...answer}
    >
      {internal.length > 0 && (
        <p data-testid="history-delete-internal">
          {internal.map((d) => d.target).join(', ')}: an internal snapshot, stored inside the disk
          image. libvirt removes it from the image; the disk keeps every write made since.
        </p>
      )}
      {plan.length === 0 && internal.length > 0 ? null : plan.length === 0 ? (
        <p>
          “{name}” has no overlay in the disks’ chains any more: only libvirt’s record of it is
          removed. No disk changes.
        </p>
      ) : (
        <ul className="delete-plan">
          {plan.map((step) => (
            <li key={step.target} data-testid={`history-delete-plan-${step.target}`}>
              <span className="mono">{step.target}</span>: the overlay{' '}
              <span className="mono path">{step.overlay}</span> that holds the writes made after{' '}
              <span className="mono">{name}</span> is merged into{' '}
              {step.into ? <span className="mono path">{step.into}</span> : 'the image below it'}.{' '}
              {step.layers > 0 && (
                <strong>
                  The chain goes from {step.layers} to {step.layers - 1} layer
                  {step.layers - 1 === 1 ? '' : 's'}.
                </strong>
              )}
            </li>
          ))}
        </ul>
      )}
      <p>
        <strong>The data stays</strong>: the guest’s disks keep every write.{' '}
        <strong>The point in time {name}</strong> ({when}) <strong>is gone</strong>: nothing can go
        back to it afterwards.
      </p>
      <p className="muted small">
        libvirt {abilities.libvirt} merges while the guest runs (virsh snapshot-delete); it may take
        a while for a large overlay.
      </p>
    </ConfirmDialog>
  );
}
