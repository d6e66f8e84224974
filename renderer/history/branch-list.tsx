import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Branch } from '../../shared/revert';
import { useCallQuery } from '../cache/use-call-query';
import { useTransport } from '../transport/transport-context';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { RowButton } from '../ui/table-parts';
import { baseName, formatBytes, formatFullTime } from './history-format';
import type { HistorySectionProps } from './history-view';
import { QuiesceRevertDialog, RevertProgress, revertKeys } from './quiesce-revert';

/**
 * The states reverts left (discarded branches), newest first: when, what the revert went to,
 * which snapshot the state descended from, the snapshots after it, the size of its files; each
 * revertable and deletable. "Finish or roll back" settles a revert that died half-way.
 */
export function BranchList({ hostId, uuid, domain }: HistorySectionProps) {
  const transport = useTransport();
  const client = useQueryClient();
  const list = useCallQuery(
    revertKeys.branches(hostId, uuid),
    'revert.branches',
    { hostId, uuid },
    {
      staleTime: 0,
    },
  );
  const [reverting, setReverting] = useState<Branch>();
  const [deleting, setDeleting] = useState<Branch>();
  const [recovering, setRecovering] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string>();
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  const branches = (list.data?.branches ?? []).filter((b) => !b.deleted);

  function onDelete(b: Branch) {
    setBusy(true);
    setFailure(undefined);
    transport
      .call('revert.deleteBranch', { hostId, uuid, id: b.id })
      .then(({ removed, kept }) =>
        setNote(
          `Deleted the branch of ${formatFullTime(b.createdAt)}: ${removed.length} file${removed.length === 1 ? '' : 's'} removed${kept.length ? `, ${kept.map(baseName).join(', ')} kept (in use)` : ''}.`,
        ),
      )
      .catch((e: unknown) => setFailure(errorShape(e)))
      .finally(() => {
        setBusy(false);
        setDeleting(undefined);
        void client.invalidateQueries({ queryKey: revertKeys.branches(hostId, uuid) });
      });
  }

  return (
    <section className="history-section" aria-label="Discarded branches" data-testid="branches">
      <h3>Discarded branches</h3>
      {list.data && (
        <p className="muted" data-testid="branch-current">
          {list.data.current
            ? `The guest now descends from the snapshot “${list.data.current}”.`
            : 'The guest descends from no snapshot libvirt marks as current.'}
        </p>
      )}
      {list.isError && <ErrorBox error={errorShape(list.error)} />}
      {failure && <ErrorBox error={failure} testId="branch-error" />}
      {note && (
        <p className="notice-ok" role="status" data-testid="branch-note">
          {note}
        </p>
      )}
      {list.data && branches.length === 0 && (
        <p className="placeholder" data-testid="branches-empty">
          No revert has left a state behind.
        </p>
      )}
      {branches.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th>Left on</th>
              <th>Reverted to</th>
              <th>Descended from</th>
              <th>Snapshots after it</th>
              <th>Size</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {branches.map((b) => (
              <tr key={b.id} data-testid="branch-row" data-branch={b.id}>
                <td>{formatFullTime(b.createdAt)}</td>
                <td className="mono">
                  {b.revertedTo.kind === 'snapshot'
                    ? b.revertedTo.name
                    : `branch ${b.revertedTo.id}`}
                </td>
                <td className="mono">{b.from ?? '—'}</td>
                <td className="mono">{b.snapshots.join(', ') || '—'}</td>
                <td>{b.intact ? formatBytes(b.sizeBytes) : 'files missing'}</td>
                <td className="inline-row">
                  <RowButton
                    testId="branch-revert"
                    forRow={` left on ${formatFullTime(b.createdAt)}`}
                    disabled={busy || !b.intact}
                    onClick={() => setReverting(b)}
                  >
                    Revert to this branch
                  </RowButton>
                  <RowButton
                    testId="branch-delete"
                    forRow={` left on ${formatFullTime(b.createdAt)}`}
                    danger
                    disabled={busy}
                    onClick={() => setDeleting(b)}
                  >
                    Delete branch
                  </RowButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="inline-row">
        <button type="button" data-testid="revert-recover" onClick={() => setRecovering(true)}>
          Finish or roll back an interrupted revert
        </button>
      </p>
      {reverting && (
        <QuiesceRevertDialog
          hostId={hostId}
          uuid={uuid}
          domain={domain}
          target={{ kind: 'branch', id: reverting.id }}
          onClose={() => setReverting(undefined)}
        />
      )}
      {recovering && (
        <RecoverRun hostId={hostId} uuid={uuid} onClose={() => setRecovering(false)} />
      )}
      {deleting && (
        <ConfirmDialog
          testIds="branch-delete"
          title="Delete this branch?"
          confirmText="Delete its files"
          busyText="Deleting…"
          busy={busy}
          onConfirm={() => onDelete(deleting)}
          onCancel={() => setDeleting(undefined)}
        >
          <p>
            The guest’s state as it was before the revert of {formatFullTime(deleting.createdAt)} is
            deleted: {deleting.disks.map((d) => baseName(d.top)).join(', ')}
            {deleting.sizeBytes !== null ? ` (${formatBytes(deleting.sizeBytes)})` : ''}. A file
            that a domain or another revert still uses is kept.
          </p>
          <p className="muted small">
            Its snapshots stay: each can still be reverted to from its own image.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** Starts a recover run and shows its progress like a revert's. */
function RecoverRun({
  hostId,
  uuid,
  onClose,
}: {
  hostId: string;
  uuid: string;
  onClose: () => void;
}) {
  const transport = useTransport();
  const [opId, setOpId] = useState<string>();
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  if (!opId) {
    return (
      <ConfirmDialog
        testIds="revert-recover"
        title="Finish or roll back interrupted reverts?"
        confirmText="Settle them"
        danger={false}
        busy={false}
        onCancel={onClose}
        onConfirm={() =>
          transport
            .call('revert.recover', { hostId, uuid })
            .then(({ opId: id }) => setOpId(id))
            .catch((e: unknown) => setFailure(errorShape(e)))
        }
      >
        {failure && <ErrorBox error={failure} />}
        <p>
          A revert whose disks were already switched is finished (its branch recorded, the guest
          started); one that was not is rolled back (its new overlays removed, the guest started
          again if it was running).
        </p>
      </ConfirmDialog>
    );
  }
  return <RevertProgress hostId={hostId} uuid={uuid} opId={opId} onClose={onClose} />;
}
