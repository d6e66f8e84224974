import { useQueryClient } from '@tanstack/react-query';
import { useState, type HTMLAttributes, type SyntheticEvent } from 'react';
import { createPortal } from 'react-dom';
import type { ExportMode } from '../../shared/export';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';
import { Dialog, SubmitActions } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { TextField } from '../ui/text-field';
import { useExportRun, useExportSpace, useStartExport } from './use-exports';
import { outcomeText, progressText, spaceVerdict } from './export-view';

/**
 * React passes a <dialog>'s cancel and close events up its own tree, portals included: the
 * history dialog this one opens from would close with it. A wall for them (a div has no typed
 * onCancel/onClose, React handles them all the same).
 */
const stop = (e: SyntheticEvent) => e.stopPropagation();
const WALL = { onCancel: stop, onClose: stop } as unknown as HTMLAttributes<HTMLDivElement>;

/**
 * "Export…": a consistent copy of the domain's disks into a folder on the host (docs/export.md).
 * The admin picks the folder and full or incremental, the space there is checked before the
 * start, then the export's progress (bytes, rate, ETA) shows until it ends; Cancel stops it and
 * the host removes its partial files. In <body> and walled off, so its Escape closes only itself.
 */
export function ExportDialog({
  hostId,
  uuid,
  domain,
  initialDest,
  onClose,
}: {
  hostId: string;
  uuid: string;
  domain: string;
  initialDest: string;
  onClose: () => void;
}) {
  const [dest, setDest] = useState(initialDest);
  const [checked, setChecked] = useState<string>();
  const [mode, setMode] = useState<ExportMode>('incremental');
  const [opId, setOpId] = useState<string>();
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  const space = useExportSpace(hostId, uuid, checked);
  const start = useStartExport(hostId, uuid);
  const run = useExportRun(hostId, opId);
  const transport = useTransport();
  const client = useQueryClient();
  const verdict = space.data && checked === dest ? spaceVerdict(space.data, mode) : undefined;
  const running = opId !== undefined && (!run.data || run.data.state === 'running');
  const done = opId !== undefined && run.data !== undefined && !running;
  const close = () => {
    if (done) void client.invalidateQueries({ queryKey: queryKeys.exports(hostId, uuid) });
    onClose();
  };
  const pct =
    run.data?.progress && run.data.progress.total > 0
      ? Math.floor((run.data.progress.done / run.data.progress.total) * 100)
      : 0;

  return createPortal(
    <div className="history-layer" onKeyDown={(e) => e.stopPropagation()} {...WALL}>
      <Dialog title="Export" subtitle={domain} onClose={close} testId="export-dialog">
        {!opId && (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              if (!verdict?.ok) {
                setChecked(dest);
                return;
              }
              setFailure(undefined);
              start.mutate(
                { dest, mode },
                {
                  onSuccess: (r) => setOpId(r.opId),
                  onError: (err) => setFailure(errorShape(err)),
                },
              );
            }}
          >
            <TextField
              id="export-dest"
              label="Destination folder on the host"
              value={dest}
              onChange={(v) => setDest(v)}
              mono
              testId="export-dest"
              hint="The images go to FOLDER/UUID/EXPORT-ID/ with a manifest.json written last. QEMU writes them: every folder on the way must be searchable by others."
            />
            <fieldset className="stack" data-testid="export-mode">
              <legend>Kind</legend>
              <label>
                <input
                  type="radio"
                  name="export-mode"
                  checked={mode === 'incremental'}
                  onChange={() => setMode('incremental')}
                  data-testid="export-mode-incremental"
                />{' '}
                Incremental (only the blocks changed since the last export here; full if there is
                none)
              </label>
              <label>
                <input
                  type="radio"
                  name="export-mode"
                  checked={mode === 'full'}
                  onChange={() => setMode('full')}
                  data-testid="export-mode-full"
                />{' '}
                Full
              </label>
            </fieldset>
            <p className="inline-row">
              <button
                type="button"
                data-testid="export-check-space"
                disabled={!dest.startsWith('/')}
                onClick={() => {
                  setChecked(dest);
                  void space.refetch();
                }}
              >
                Check space
              </button>
              {space.isFetching && <span className="muted">Checking…</span>}
            </p>
            {verdict && (
              <p
                className={verdict.ok ? 'notice-ok' : 'notice-warning'}
                data-testid="export-space"
                data-ok={verdict.ok}
                role="status"
              >
                {verdict.text}
              </p>
            )}
            {space.isError && <ErrorBox error={errorShape(space.error)} />}
            {failure && <ErrorBox error={failure} testId="export-error" />}
            <p className="muted small">
              The guest’s filesystems are frozen only for the cut (libvirt’s backup-begin with a
              checkpoint); the copy runs afterwards while the guest works.
            </p>
            <SubmitActions
              submitText="Export"
              busy={start.isPending}
              disabled={!verdict?.ok}
              onDismiss={close}
              dismissText="Close"
              testId="export-start"
            />
          </form>
        )}
        {opId && (
          <div className="stack" data-testid="export-run" data-state={run.data?.state ?? 'running'}>
            <p className="mono small">{opId}</p>
            <progress
              max={100}
              value={pct}
              data-testid="export-progress"
              aria-label="Export progress"
            />
            <p role="status" data-testid="export-status">
              {run.data ? (running ? progressText(run.data) : outcomeText(run.data)) : 'starting…'}
            </p>
            {run.data?.progress && run.data.progress.disks.length > 0 && running && (
              <ul className="small" data-testid="export-disks">
                {run.data.progress.disks.map((d) => (
                  <li key={d.target}>
                    <span className="mono">{d.target}</span>: {d.bytes.toLocaleString()} bytes
                    written
                  </li>
                ))}
              </ul>
            )}
            {failure && <ErrorBox error={failure} testId="export-error" />}
            <div className="dialog-actions">
              {running && (
                <button
                  type="button"
                  data-testid="export-cancel"
                  onClick={() =>
                    void transport
                      .call('export.cancel', { hostId, opId })
                      .catch((e: unknown) => setFailure(errorShape(e)))
                  }
                >
                  Cancel export
                </button>
              )}
              <button type="button" className="primary" onClick={close} data-testid="export-close">
                Close
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </div>,
    document.body,
  );
}
