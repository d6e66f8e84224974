import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { ExportCopyForm } from './export-copy-form';
import { ExportDialog } from './export-dialog';
import { ExportPruneDialog } from './export-prune-dialog';
import { ExportRestoreForm } from './export-restore-form';
import { entryText } from './export-view';
import { useExports, useVerifyExport } from './use-exports';

/**
 * The history's exports beside its snapshots: each export of this domain made from this host,
 * where it went, what it is (full, or incremental on which), and whether it still verifies
 * (checksums, `qemu-img check`, chain); "Export…" opens the export dialog.
 */
export function ExportPanel({
  hostId,
  uuid,
  domain,
}: {
  hostId: string;
  uuid: string;
  domain: string;
}) {
  const list = useExports(hostId, uuid);
  const verify = useVerifyExport(hostId, uuid);
  const [open, setOpen] = useState(false);
  const [keep, setKeep] = useState(2);
  const [asking, setAsking] = useState<{ dest: string; exportId?: string; planned: string[] }>();
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  const [deleted, setDeleted] = useState<string[]>();
  const [copying, setCopying] = useState<string>();
  const [restoring, setRestoring] = useState<string>();
  const transport = useTransport();
  const client = useQueryClient();
  const exports = list.data?.exports ?? [];
  const lastDest = exports[0]?.dest ?? '';
  /** Asks the host what would go, then the admin. */
  const plan = (dest: string, exportId?: string) => {
    setFailure(undefined);
    setDeleted(undefined);
    transport
      .call('export.prune', { hostId, uuid, dest, keep, ...(exportId ? { exportId } : {}) })
      .then((r) =>
        r.planned.length === 0
          ? setDeleted([])
          : setAsking({ dest, ...(exportId ? { exportId } : {}), planned: r.planned }),
      )
      .catch((e: unknown) => setFailure(errorShape(e)));
  };
  return (
    <section className="history-section" aria-label="Exports" data-testid="exports">
      <h3>Exports</h3>
      <p className="inline-row">
        <button type="button" data-testid="export-open" onClick={() => setOpen(true)}>
          Export…
        </button>
      </p>
      {lastDest && (
        <p className="inline-row">
          <label>
            Keep the newest{' '}
            <input
              type="number"
              min={1}
              max={1000}
              value={keep}
              onChange={(e) => setKeep(Math.max(1, Number(e.target.value) || 1))}
              data-testid="export-keep"
              style={{ width: '4em' }}
            />{' '}
            full chains in <span className="mono path">{lastDest}</span>
          </label>
          <button type="button" data-testid="export-prune-open" onClick={() => plan(lastDest)}>
            Prune…
          </button>
        </p>
      )}
      {list.isError && <ErrorBox error={errorShape(list.error)} />}
      {failure && <ErrorBox error={failure} testId="export-prune-failure" />}
      {deleted && (
        <p className="notice-ok" role="status" data-testid="export-deleted">
          {deleted.length === 0
            ? 'Nothing to delete.'
            : `Deleted ${deleted.length} export${deleted.length === 1 ? '' : 's'}.`}
        </p>
      )}
      {verify.isError && <ErrorBox error={errorShape(verify.error)} testId="export-verify-error" />}
      {exports.length === 0 ? (
        list.isSuccess && <p className="placeholder">No export of {domain} from this host yet.</p>
      ) : (
        <ul data-testid="export-list">
          {exports.map((e) => (
            <li
              key={e.exportId}
              data-testid="export-row"
              data-mode={e.mode}
              data-verification={e.verification}
            >
              <span className="mono small">
                {e.finishedAt ? e.finishedAt.replace('T', ' ').slice(0, 19) : e.exportId}
              </span>{' '}
              {entryText(e)} <span className="mono path small">{e.folder}</span>{' '}
              {e.ok && e.present && (
                <>
                  <button
                    type="button"
                    data-testid={`export-verify-${e.exportId}`}
                    disabled={verify.isPending}
                    onClick={() => verify.mutate({ dest: e.dest, exportId: e.exportId })}
                  >
                    Verify
                  </button>{' '}
                  <button
                    type="button"
                    data-testid={`export-delete-${e.exportId}`}
                    onClick={() => plan(e.dest, e.exportId)}
                  >
                    Delete…
                  </button>{' '}
                  <button
                    type="button"
                    data-testid={`export-copy-${e.exportId}`}
                    onClick={() => setCopying(e.exportId)}
                  >
                    Copy…
                  </button>{' '}
                  <button
                    type="button"
                    data-testid={`export-restore-${e.exportId}`}
                    onClick={() => setRestoring(e.exportId)}
                  >
                    Restore…
                  </button>
                </>
              )}
              {restoring === e.exportId && (
                <ExportRestoreForm
                  hostId={hostId}
                  entry={e}
                  domain={domain}
                  onDone={() => setRestoring(undefined)}
                />
              )}
              {copying === e.exportId && (
                <ExportCopyForm hostId={hostId} entry={e} onDone={() => setCopying(undefined)} />
              )}
            </li>
          ))}
        </ul>
      )}
      {asking && (
        <ExportPruneDialog
          hostId={hostId}
          uuid={uuid}
          dest={asking.dest}
          keep={keep}
          {...(asking.exportId ? { exportId: asking.exportId } : {})}
          planned={asking.planned}
          onCancel={() => setAsking(undefined)}
          onDone={(gone) => {
            setAsking(undefined);
            setDeleted(gone);
            void client.invalidateQueries({ queryKey: queryKeys.exports(hostId, uuid) });
          }}
        />
      )}
      {open && (
        <ExportDialog
          hostId={hostId}
          uuid={uuid}
          domain={domain}
          initialDest={lastDest}
          onClose={() => setOpen(false)}
        />
      )}
    </section>
  );
}
