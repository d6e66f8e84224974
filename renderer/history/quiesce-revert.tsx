import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { RevertSummary, RevertTarget } from '../../shared/revert';
import { useCallQuery } from '../cache/use-call-query';
import { queryKeys } from '../cache/query-keys';
import { useTransport } from '../transport/transport-context';
import { Checkbox } from '../ui/checkbox';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { CloseActions, Dialog } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';

/** The keys of this file's reads (revert.preview, revert.get, revert.branches). */
export const revertKeys = {
  preview: (hostId: string, uuid: string, target: RevertTarget) =>
    queryKeys.revertPreview(hostId, uuid, JSON.stringify(target)),
  run: queryKeys.revertRun,
  branches: queryKeys.revertBranches,
};

const PHASE_TEXT: Record<RevertSummary['phases'][number]['phase'], string> = {
  lock: 'Lock the domain',
  settle: 'Settle earlier reverts',
  preflight: 'Check the plan',
  prepare: 'Create the new overlays',
  stop: 'Stop the guest',
  keep: 'Keep the left state as a snapshot (libvirt’s revert)',
  switch: 'Point the disks at the new overlays',
  branch: 'Keep the left state as a branch',
  current: 'Mark the current snapshot',
  start: 'Start the guest',
  verify: 'Wait for the guest agent',
  runner: 'Runner',
};

/**
 * Quiesce's own revert (any libvirt): first the confirmation — what stops, what is kept, what the
 * guest will look like, read from the host (revert.preview) — with the admin's say on a forced
 * power-off; then the phases as the runner journals them, until it ends.
 */
export function QuiesceRevertDialog({
  hostId,
  uuid,
  domain,
  target,
  onClose,
}: {
  hostId: string;
  uuid: string;
  domain: string;
  target: RevertTarget;
  onClose: () => void;
}) {
  const transport = useTransport();
  const client = useQueryClient();
  const [allowForce, setAllowForce] = useState(false);
  const [opId, setOpId] = useState<string>();
  const [starting, setStarting] = useState(false);
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  const preview = useCallQuery(
    revertKeys.preview(hostId, uuid, target),
    'revert.preview',
    { hostId, uuid, target, allowForce },
    { staleTime: 0, enabled: !opId },
  );
  const what = target.kind === 'snapshot' ? `“${target.name}”` : `the branch ${target.id}`;

  if (opId) return <RevertProgress hostId={hostId} uuid={uuid} opId={opId} onClose={onClose} />;
  return (
    <ConfirmDialog
      testIds="quiesce-revert"
      title={`Revert ${domain} to ${what}?`}
      confirmText={preview.data?.willStop ? 'Stop the guest and revert' : 'Revert'}
      busyText="Starting…"
      busy={starting || !preview.data}
      onCancel={onClose}
      onConfirm={() => {
        setStarting(true);
        setFailure(undefined);
        transport
          .call('revert.start', { hostId, uuid, target, allowForce })
          .then(({ opId: id }) => setOpId(id))
          .catch((e: unknown) => setFailure(errorShape(e)))
          .finally(() => {
            setStarting(false);
            void client.invalidateQueries({ queryKey: queryKeys.domains(hostId) });
          });
      }}
    >
      {preview.isFetching && !preview.data && (
        <p className="muted">Reading the domain on the host…</p>
      )}
      {preview.isError && <ErrorBox error={errorShape(preview.error)} />}
      {failure && <ErrorBox error={failure} testId="quiesce-revert-error" />}
      {preview.data && (
        <div data-testid="quiesce-revert-text">
          <p>
            <strong>What stops.</strong> {preview.data.text.stops}
          </p>
          <p>
            <strong>What is kept.</strong> {preview.data.text.kept}
          </p>
          <p>
            <strong>What the guest will look like.</strong> {preview.data.text.becomes}
          </p>
          {preview.data.willStop && (
            <Checkbox checked={allowForce} onChange={setAllowForce} testId="quiesce-revert-force">
              Power the guest off if it does not shut down within two minutes
            </Checkbox>
          )}
        </div>
      )}
    </ConfirmDialog>
  );
}

/** The runner's phases, read again every half second until its journal ends. */
export function RevertProgress({
  hostId,
  uuid,
  opId,
  onClose,
}: {
  hostId: string;
  uuid: string;
  opId: string;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const run = useCallQuery(
    revertKeys.run(hostId, opId),
    'revert.get',
    { hostId, opId },
    { refetchInterval: (q) => (q.state.data && q.state.data.state !== 'running' ? false : 500) },
  );
  const s = run.data;
  const ended = s !== undefined && s.state !== 'running';
  const close = () => {
    void client.invalidateQueries({ queryKey: queryKeys.history(hostId, uuid) });
    void client.invalidateQueries({ queryKey: revertKeys.branches(hostId, uuid) });
    void client.invalidateQueries({ queryKey: queryKeys.domains(hostId) });
    onClose();
  };
  return (
    <Dialog title="Reverting" onClose={close} testId="quiesce-revert-progress">
      <ol className="stack" data-testid="quiesce-revert-phases">
        {(s?.phases ?? []).map((p, i) => (
          <li key={i} data-phase={p.phase} data-status={p.status}>
            {PHASE_TEXT[p.phase]} — {p.status === 'running' ? 'running…' : p.status}
            {p.detail && <span className="muted small"> ({p.detail})</span>}
          </li>
        ))}
      </ol>
      {s?.progress && !ended && (
        <p className="muted" role="status" data-testid="quiesce-revert-line">
          {s.progress}
        </p>
      )}
      {ended && (
        <p
          className={s.state === 'succeeded' ? 'notice-ok' : 'notice-error'}
          role="status"
          data-testid="quiesce-revert-outcome"
        >
          {s.state === 'succeeded'
            ? s.mode === 'recover'
              ? 'The earlier reverts are settled.'
              : `Reverted.${s.agentAfterS !== null ? ` The guest agent answered ${s.agentAfterS} s after the start.` : ''}`
            : `${s.message ?? 'The revert did not finish.'} ${
                s.outcome === 'rolled-back'
                  ? 'Nothing was changed: the domain is as it was.'
                  : s.outcome === 'finished'
                    ? 'The disks were switched and the left state kept as a branch.'
                    : 'Run “Finish or roll back” from the branches to settle it.'
              }`}
        </p>
      )}
      <CloseActions onClose={close} testId="quiesce-revert-close" />
    </Dialog>
  );
}
