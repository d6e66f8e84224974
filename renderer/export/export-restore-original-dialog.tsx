import { useEffect, useState } from 'react';
import { Checkbox } from '../ui/checkbox';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { formatBytes } from './export-view';
import type { ExportAddress } from './export-entry-form';
import type { RestoreProgress } from './restore-progress';
import { RestoreProgressList } from './restore-progress-list';
import { useRestoreOriginal } from './use-restore-original';

/** Seconds the guest gets to shut down before it is powered off (when the admin allows it). */
export const STOP_TIMEOUT_S = 120;

/**
 * The confirmation before an export is restored over its domain (export.restoreOriginal): read
 * from the host without changing anything — the domain's state and that it is shut down, which
 * disk gets which export chain in which new image, that its images now are kept and the export
 * only read — with the admin's say on a forced power-off. Confirming runs `apply`, with the
 * preview's `stamp`, so the images made are the ones shown. Cancel while it applies asks the
 * restore to stop (the caller's onCancel): honoured while the disks are copied, refused after.
 */
export function ExportRestoreOriginalDialog({
  at,
  folder,
  domain,
  apply,
  onCancel,
}: {
  at: ExportAddress;
  folder: string;
  domain: string;
  /**
   * The form's apply mutation: its outcome is shown under the form once the dialog closes; each
   * disk's copy is shown here while it runs.
   */
  apply: {
    isPending: boolean;
    error: unknown;
    progress: RestoreProgress;
    /** Cancel pressed while it runs: asked for (the call's answer says the outcome), refused. */
    cancel: { asked: boolean; error: unknown };
    run: (input: { allowForce: boolean; stamp: string }) => void;
  };
  onCancel: () => void;
}) {
  const preview = useRestoreOriginal(at.hostId);
  const [allowForce, setAllowForce] = useState(true);
  const { mutate } = preview;
  useEffect(() => {
    mutate({ ...at, folder, allowForce, stopTimeoutS: STOP_TIMEOUT_S, apply: false });
    // read again when the admin changes the answer on a forced power-off (its sentence changes)
  }, [mutate, at, folder, allowForce]);
  const p = preview.data?.preview;
  return (
    <ConfirmDialog
      testIds="export-restore-original"
      title={`Restore ${domain} from the export ${at.exportId}?`}
      confirmText={p?.willStop ? 'Stop the guest and restore' : `Restore over ${domain}`}
      busyText="Restoring…"
      busy={apply.isPending || !p || preview.isPending}
      onCancel={onCancel}
      onConfirm={() => p && apply.run({ allowForce, stamp: p.stamp })}
    >
      {preview.isPending && <p className="muted">Reading the domain and the export on the host…</p>}
      {preview.isError && (
        <ErrorBox error={errorShape(preview.error)} testId="export-restore-original-refused" />
      )}
      {apply.isPending && <RestoreProgressList progress={apply.progress} />}
      {apply.isPending && apply.cancel.asked && !apply.cancel.error && (
        <p className="small" role="status" data-testid="export-restore-original-cancelling">
          Cancelling: the copy stops and the new images are removed; {domain} is not touched.
        </p>
      )}
      {apply.cancel.error ? (
        <ErrorBox
          error={errorShape(apply.cancel.error)}
          testId="export-restore-original-cancel-error"
        />
      ) : null}
      {apply.isPending &&
        p?.disks.every((d) => {
          const c = apply.progress[d.target];
          return c !== undefined && c.total > 0 && c.done >= c.total;
        }) && (
          <p className="small" role="status" data-testid="export-restore-original-switching">
            {p.willStop
              ? 'Copied. Stopping the guest, switching its disks to the new images, starting it again…'
              : 'Copied. Switching the domain’s disks to the new images…'}
          </p>
        )}
      {apply.error ? (
        <ErrorBox error={errorShape(apply.error)} testId="export-restore-original-error" />
      ) : null}
      {p && (
        <div data-testid="export-restore-original-text">
          <p>
            <strong>What stops.</strong> {p.text.stops}
          </p>
          <p>
            <strong>What is replaced.</strong> {p.text.replaced}
          </p>
          <table className="small">
            <thead>
              <tr>
                <th scope="col">disk</th>
                <th scope="col">from the export (chain, top first)</th>
                <th scope="col">new image</th>
                <th scope="col">kept</th>
              </tr>
            </thead>
            <tbody>
              {p.disks.map((d) => (
                <tr key={d.target}>
                  <td>{d.target}</td>
                  <td className="mono">{d.chain.join(' ← ')}</td>
                  <td className="mono">{d.image}</td>
                  <td className="mono">{d.current}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small">
            The new images take up to {formatBytes(p.needBytes)}; the folder has{' '}
            {formatBytes(p.freeBytes)} free.
          </p>
          <p>
            <strong>What is kept.</strong> {p.text.kept}
          </p>
          {p.willStop && (
            <Checkbox
              checked={allowForce}
              onChange={setAllowForce}
              testId="export-restore-original-force"
            >
              Power the guest off if it does not shut down within two minutes
            </Checkbox>
          )}
        </div>
      )}
    </ConfirmDialog>
  );
}
