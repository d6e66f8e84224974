import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { RestoreTestResult } from '../../shared/restore-test';
import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';
import { useTransport } from '../transport/transport-context';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';

/** What a restore test found, in one sentence (or why it did not get there). */
export function restoreVerdict(r: RestoreTestResult): string {
  if (r.state === 'running') {
    const now = r.phases.findLast((p) => p.status === 'running');
    return `Testing: ${now ? now.phase : 'starting'}…`;
  }
  if (r.state === 'lost') return 'The restore test stopped without a result (its runner is gone).';
  if (!r.restorable) {
    return `Not shown restorable: ${r.message ?? 'the test failed'}${r.cloneGone === false ? ' (the clone could not be removed: see the host)' : ''}.`;
  }
  const n = r.filesystems.length;
  const mounted =
    r.recovery === null
      ? `${n} filesystem${n === 1 ? '' : 's'} mounted (the guest did not show its kernel log)`
      : r.recovery
        ? `${n} filesystem${n === 1 ? '' : 's'} mounted after journal recovery`
        : `${n} filesystem${n === 1 ? '' : 's'} mounted clean`;
  return `Restorable — booted in ${r.bootS ?? '?'} s, agent answered, ${mounted}.`;
}

/** The restore tests the host kept (restore.list): for one snapshot, or the domain's latest. */
export function keptResults(
  all: readonly RestoreTestResult[],
  snapshot: string | undefined,
  max = 5,
): RestoreTestResult[] {
  return all
    .filter((r) => r.state !== 'running' && (snapshot === undefined || r.snapshot === snapshot))
    .slice(0, max);
}

/**
 * "Test restore" of the selected snapshot: a disposable linked clone boots on the host (no
 * network), its agent says what it mounted, and the clone is removed; the original guest runs on.
 * The results kept on the host (beside the tests' journals) are listed under it, so they outlive
 * the app and its link.
 */
export function RestoreTestPanel({
  hostId,
  uuid,
  snapshot,
}: {
  hostId: string;
  uuid: string;
  snapshot: string | undefined;
}) {
  const transport = useTransport();
  const [run, setRun] = useState<{ opId: string; snapshot: string }>();
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  const result = useCallQuery(
    queryKeys.restoreTest(hostId, run?.opId ?? ''),
    'restore.get',
    { hostId, opId: run?.opId ?? '' },
    {
      enabled: run !== undefined,
      refetchInterval: (q) => (q.state.data && q.state.data.state !== 'running' ? false : 1000),
    },
  );
  const running = run !== undefined && (!result.data || result.data.state === 'running');
  const kept = useCallQuery(queryKeys.restoreTests(hostId, uuid), 'restore.list', { hostId, uuid });
  const client = useQueryClient();
  const finished = run !== undefined && result.data !== undefined && !running;
  useEffect(() => {
    if (finished) void client.invalidateQueries({ queryKey: queryKeys.restoreTests(hostId, uuid) });
  }, [finished, client, hostId, uuid]);
  const earlier = keptResults(kept.data?.results ?? [], snapshot).filter(
    (r) => r.opId !== run?.opId,
  );
  return (
    <section className="history-section" aria-label="Restore test" data-testid="restore-test">
      <h3>Restore test</h3>
      <p className="inline-row">
        <button
          type="button"
          data-testid="restore-test-start"
          disabled={!snapshot || running}
          onClick={() => {
            if (!snapshot) return;
            setFailure(undefined);
            transport
              .call('restore.start', { hostId, uuid, name: snapshot })
              .then(({ opId }) => setRun({ opId, snapshot }))
              .catch((e: unknown) => setFailure(errorShape(e)));
          }}
        >
          {snapshot ? `Test restore of “${snapshot}”` : 'Select a snapshot to test its restore'}
        </button>
      </p>
      {failure && <ErrorBox error={failure} testId="restore-test-error" />}
      {run && result.data && (
        <div data-testid="restore-test-result" data-state={result.data.state}>
          <p className={result.data.restorable ? 'notice-ok' : undefined} role="status">
            {run.snapshot}: {restoreVerdict(result.data)}
          </p>
          {result.data.evidence && (
            <details>
              <summary>Evidence</summary>
              <pre className="mono small">{result.data.evidence}</pre>
            </details>
          )}
        </div>
      )}
      {earlier.length > 0 && (
        <div data-testid="restore-test-kept">
          <h4>{snapshot ? `Earlier tests of “${snapshot}”` : 'Latest restore tests'}</h4>
          <ul>
            {earlier.map((r) => (
              <li key={r.opId} data-testid="restore-test-kept-row" data-state={r.state}>
                <span className="mono small">
                  {r.startedAt ? r.startedAt.replace('T', ' ').slice(0, 16) : r.opId}
                </span>{' '}
                {snapshot ? '' : `${r.snapshot ?? '?'}: `}
                {restoreVerdict(r)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
