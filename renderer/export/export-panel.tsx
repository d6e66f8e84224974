import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ExportEntry } from '../../shared/export';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';
import { ErrorBox } from '../ui/error-box';
import type { HistorySectionProps } from '../history/history-view';
import { errorShape } from '../ui/error-shape';
import { Outcome } from '../ui/outcome';
import { RowButton } from '../ui/table-parts';
import { ExportCopyForm } from './export-copy-form';
import { ExportDialog } from './export-dialog';
import { ExportPruneDialog, type PrunePlan } from './export-prune-dialog';
import { ExportRestoreForm } from './export-restore-form';
import { RestoreRuns } from './restore-runs';
import { entryText } from './export-view';
import { useExports, useVerifyExport } from './use-exports';

/**
 * The history's exports beside its snapshots: each export of this domain made from this host,
 * where it went, what it is (full, or incremental on which), and whether it still verifies
 * (checksums, `qemu-img check`, chain); "Export…" opens the export dialog.
 */
export function ExportPanel({ hostId, uuid, domain }: HistorySectionProps) {
  const list = useExports(hostId, uuid);
  const verify = useVerifyExport(hostId, uuid);
  const [open, setOpen] = useState(false);
  const [keep, setKeep] = useState(2);
  const [asking, setAsking] = useState<PrunePlan>();
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  const [deleted, setDeleted] = useState<string[]>();
  const transport = useTransport();
  const client = useQueryClient();
  const exports = list.data?.exports ?? [];
  const lastDest = exports[0]?.dest ?? '';
  /** Asks the host what would go, then the admin. */
  const plan = (dest: string, exportId?: string) => {
    setFailure(undefined);
    setDeleted(undefined);
    const request = { hostId, uuid, dest, keep, ...(exportId ? { exportId } : {}) };
    transport
      .call('export.prune', request)
      .then((r) =>
        r.planned.length === 0 ? setDeleted([]) : setAsking({ request, planned: r.planned }),
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
      <Outcome
        done={
          deleted &&
          (deleted.length === 0
            ? 'Nothing to delete.'
            : `Deleted ${deleted.length} export${deleted.length === 1 ? '' : 's'}.`)
        }
        error={failure}
        doneTestId="export-deleted"
        errorTestId="export-prune-failure"
      />
      {verify.isError && <ErrorBox error={errorShape(verify.error)} testId="export-verify-error" />}
      {exports.length === 0 ? (
        list.isSuccess && <p className="placeholder">No export of {domain} from this host yet.</p>
      ) : (
        <ul data-testid="export-list">
          {exports.map((e) => (
            <ExportRow
              key={e.exportId}
              hostId={hostId}
              domain={domain}
              entry={e}
              verify={verify}
              onDelete={() => plan(e.dest, e.exportId)}
            />
          ))}
        </ul>
      )}
      <RestoreRuns hostId={hostId} uuid={uuid} domain={domain} />
      {asking && (
        <ExportPruneDialog
          plan={asking}
          onCancel={() => setAsking(undefined)}
          onDone={(gone) => {
            setAsking(undefined);
            // the outcome shows with the list read again, so the two never disagree
            void client
              .invalidateQueries({ queryKey: queryKeys.exports(hostId, uuid) })
              .finally(() => setDeleted(gone));
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

/**
 * One export in the list: when it finished, what it is, where it is; for a whole export still on
 * the host, its actions (Verify, Delete…, Copy…, Restore…) and the one form open under it.
 */
function ExportRow({
  hostId,
  domain,
  entry: e,
  verify,
  onDelete,
}: {
  hostId: string;
  domain: string;
  entry: ExportEntry;
  verify: ReturnType<typeof useVerifyExport>;
  onDelete: () => void;
}) {
  const [form, setForm] = useState<'copy' | 'restore'>();
  const action = (name: string, text: string, onClick: () => void, disabled = false) => (
    <RowButton
      testId={`export-${name}-${e.exportId}`}
      forRow={` for export ${e.exportId}`}
      disabled={disabled}
      onClick={onClick}
    >
      {text}
    </RowButton>
  );
  return (
    <li data-testid="export-row" data-mode={e.mode} data-verification={e.verification}>
      <span className="mono small">
        {e.finishedAt ? e.finishedAt.replace('T', ' ').slice(0, 19) : e.exportId}
      </span>{' '}
      {entryText(e)} <span className="mono path small">{e.folder}</span>{' '}
      {e.ok && e.present && (
        <>
          {action(
            'verify',
            'Verify',
            () => verify.mutate({ dest: e.dest, exportId: e.exportId }),
            verify.isPending,
          )}{' '}
          {action('delete', 'Delete…', onDelete)} {action('copy', 'Copy…', () => setForm('copy'))}{' '}
          {action('restore', 'Restore…', () => setForm('restore'))}
        </>
      )}
      {form === 'copy' && (
        <ExportCopyForm hostId={hostId} entry={e} onDone={() => setForm(undefined)} />
      )}
      {form === 'restore' && (
        <ExportRestoreForm
          hostId={hostId}
          entry={e}
          domain={domain}
          onDone={() => setForm(undefined)}
        />
      )}
    </li>
  );
}
