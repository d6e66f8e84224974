import { createPortal } from 'react-dom';
import { useState, type HTMLAttributes, type SyntheticEvent } from 'react';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { useTransport } from '../transport/transport-context';

const stop = (e: SyntheticEvent) => e.stopPropagation();
/** As in the export dialog: its cancel must not close the history dialog it opens from. */
const WALL = { onCancel: stop, onClose: stop } as unknown as HTMLAttributes<HTMLDivElement>;

/**
 * Asks before exports are deleted (export.prune): one export and every export built on it, or
 * every chain but the newest `keep`. What would go is what the host says now (a plan), listed;
 * only then is it deleted, under the domain's lock.
 */
export function ExportPruneDialog({
  hostId,
  uuid,
  dest,
  keep,
  exportId,
  planned,
  onDone,
  onCancel,
}: {
  hostId: string;
  uuid: string;
  dest: string;
  keep: number;
  exportId?: string;
  planned: readonly string[];
  onDone: (deleted: string[]) => void;
  onCancel: () => void;
}) {
  const transport = useTransport();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  return createPortal(
    <div className="history-layer" onKeyDown={(e) => e.stopPropagation()} {...WALL}>
      <ConfirmDialog
        testIds="export-prune"
        title={
          exportId
            ? `Delete this export${planned.length > 1 ? ` and the ${planned.length - 1} built on it` : ''}?`
            : `Keep only the newest ${keep} full chain${keep === 1 ? '' : 's'}?`
        }
        confirmText={planned.length === 1 ? 'Delete 1 export' : `Delete ${planned.length} exports`}
        busy={busy}
        onCancel={onCancel}
        onConfirm={() => {
          setBusy(true);
          transport
            .call('export.prune', {
              hostId,
              uuid,
              dest,
              keep,
              apply: true,
              ...(exportId ? { exportId } : {}),
            })
            .then((r) => onDone(r.deleted))
            .catch((e: unknown) => {
              setBusy(false);
              setFailure(errorShape(e));
            });
        }}
      >
        <p>
          These exports in <span className="mono path">{dest}</span> are deleted (images, manifest,
          and their checkpoints in libvirt). Incrementals cannot be read without the exports they
          are built on, so they go with them.
        </p>
        <ul className="delete-plan" data-testid="export-prune-plan">
          {planned.map((id) => (
            <li key={id} className="mono">
              {id}
            </li>
          ))}
        </ul>
        {failure && <ErrorBox error={failure} testId="export-prune-error" />}
      </ConfirmDialog>
    </div>,
    document.body,
  );
}
