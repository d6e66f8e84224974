import { createPortal } from 'react-dom';
import type { HTMLAttributes, SyntheticEvent } from 'react';
import type { MethodInput } from '../../shared/contract';
import { useCallMutation } from '../cache/use-call-query';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';

const stop = (e: SyntheticEvent) => e.stopPropagation();
/** As in the export dialog: its cancel must not close the history dialog it opens from. */
const WALL = { onCancel: stop, onClose: stop } as unknown as HTMLAttributes<HTMLDivElement>;

/**
 * A prune as the host planned it: the request that asked (export.prune without apply) and what
 * it would delete. The same request with apply is what deletes, so the admin's yes is to this.
 */
export interface PrunePlan {
  request: Omit<MethodInput<'export.prune'>, 'apply'>;
  planned: readonly string[];
}

/**
 * Asks before exports are deleted (export.prune): one export and every export built on it, or
 * every chain but the newest `keep`. What would go is what the host says now (a plan), listed;
 * only then is it deleted, under the domain's lock; `onDone` gets what went.
 */
export function ExportPruneDialog({
  plan: { request, planned },
  onDone,
  onCancel,
}: {
  plan: PrunePlan;
  onDone: (deleted: string[]) => void;
  onCancel: () => void;
}) {
  const { dest, keep, exportId } = request;
  const prune = useCallMutation(
    'export.prune',
    () => ({ ...request, apply: true }),
    (_client, r) => onDone(r.deleted),
  );
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
        busy={prune.isPending}
        onCancel={onCancel}
        onConfirm={() => prune.mutate(undefined)}
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
        {prune.error && <ErrorBox error={errorShape(prune.error)} testId="export-prune-error" />}
      </ConfirmDialog>
    </div>,
    document.body,
  );
}
