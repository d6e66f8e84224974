import { useState } from 'react';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { ExportDialog } from './export-dialog';
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
  const exports = list.data?.exports ?? [];
  const lastDest = exports[0]?.dest ?? '';
  return (
    <section className="history-section" aria-label="Exports" data-testid="exports">
      <h3>Exports</h3>
      <p className="inline-row">
        <button type="button" data-testid="export-open" onClick={() => setOpen(true)}>
          Export…
        </button>
      </p>
      {list.isError && <ErrorBox error={errorShape(list.error)} />}
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
                <button
                  type="button"
                  data-testid={`export-verify-${e.exportId}`}
                  disabled={verify.isPending}
                  onClick={() => verify.mutate({ dest: e.dest, exportId: e.exportId })}
                >
                  Verify
                </button>
              )}
            </li>
          ))}
        </ul>
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
