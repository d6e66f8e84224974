import { useQueryClient } from '@tanstack/react-query';
import type { RestoreRun } from '../../shared/export-restore-run';
import { queryKeys } from '../cache/query-keys';
import { useCachedValue } from '../cache/use-cached-value';
import { useCallQuery } from '../cache/use-call-query';
import { ErrorBox } from '../ui/error-box';
import { Outcome } from '../ui/outcome';
import { errorShape } from '../ui/error-shape';
import { RestoreProgressList } from './restore-progress-list';
import { restoreRunOutcome, restoreRunStep, restoreRunTitle } from './restore-run-view';
import { useRestoreCancel } from './use-exports';

/**
 * A domain's restores from exports as the host's journals tell them (export.restores): restores
 * are detached host operations (docs/export.md), so one started before the app closed or lost
 * its link is found here again, its copy's progress bars back, Cancel while it copies (the same
 * rule: export.restoreCancel, honoured only during the copy), and its outcome once it ended.
 * Read every second while one runs. A restore whose call this window still waits on shows in its
 * own form, not here.
 */
export function RestoreRuns({
  hostId,
  uuid,
  domain,
}: {
  hostId: string;
  uuid: string;
  domain: string;
}) {
  const runs = useCallQuery(
    queryKeys.restoreRuns(hostId, uuid),
    'export.restores',
    { hostId, uuid },
    {
      refetchInterval: (q) =>
        q.state.error || q.state.data?.restores.some((r) => r.state === 'running') ? 1000 : 10_000,
    },
  );
  const followed = useCachedValue<string[]>(queryKeys.restoresFollowed(hostId)) ?? [];
  const shown = (runs.data?.restores ?? [])
    .filter((r) => !(r.state === 'running' && followed.includes(r.restoreId)))
    .slice(0, 5);
  if (shown.length === 0) return null;
  return (
    <section aria-label="Restores from exports" data-testid="restore-runs">
      <h4>Restores from exports</h4>
      <ul>
        {shown.map((r) => (
          <RestoreRunRow key={r.opId} hostId={hostId} run={r} domain={domain} />
        ))}
      </ul>
    </section>
  );
}

/** After a failed restore: its undo removed what it made, or says (in its words) what it kept. */
const RESTORE_REMEDY =
  'Look at the domain and the folder of the restored images on the host, then restore again.';

function RestoreRunRow({
  hostId,
  run: r,
  domain,
}: {
  hostId: string;
  run: RestoreRun;
  domain: string;
}) {
  const cancel = useRestoreCancel();
  const outcome = restoreRunOutcome(r, domain);
  const progress = Object.fromEntries(r.disks.map((d) => [d.target, d]));
  return (
    <li data-testid="restore-run" data-state={r.state} data-op={r.opId}>
      <span className="mono small">
        {r.startedAt ? r.startedAt.replace('T', ' ').slice(0, 19) : r.opId}
      </span>{' '}
      Restore {restoreRunTitle(r, domain)}
      {r.state === 'running' && (
        <>
          {r.disks.length > 0 && <RestoreProgressList progress={progress} />}
          <p className="small" role="status" data-testid="restore-run-step">
            {restoreRunStep(r)}
          </p>
          {!r.copied && (
            <p className="inline-row">
              <button
                type="button"
                data-testid="restore-run-cancel"
                disabled={cancel.isPending || cancel.isSuccess}
                onClick={() => cancel.mutate({ hostId, restoreId: r.restoreId })}
              >
                {cancel.isSuccess ? 'Cancelling…' : 'Cancel the restore'}
              </button>
            </p>
          )}
          {cancel.error ? (
            <ErrorBox error={errorShape(cancel.error)} testId="restore-run-cancel-error" />
          ) : null}
        </>
      )}
      {outcome && (
        <Outcome
          done={outcome.ok ? outcome.text : undefined}
          error={
            outcome.ok
              ? undefined
              : { code: 'host-command-failed', message: outcome.text, remedy: RESTORE_REMEDY }
          }
          doneTestId="restore-run-outcome"
          errorTestId="restore-run-failure"
        />
      )}
    </li>
  );
}

/**
 * Marks a restore id as followed by this window's own call (its form shows it) until `done`:
 * the Restores list leaves it out meanwhile, and shows it again should the call be lost.
 */
export function useFollowRestore(hostId: string, uuid: string) {
  const client = useQueryClient();
  const key = queryKeys.restoresFollowed(hostId);
  return {
    follow: (id: string) => client.setQueryData<string[]>(key, (ids = []) => [...ids, id]),
    done: (id: string) => {
      client.setQueryData<string[]>(key, (ids = []) => ids.filter((x) => x !== id));
      void client.invalidateQueries({ queryKey: queryKeys.restoreRuns(hostId, uuid) });
    },
  };
}
