import { useEffect, useRef, useState } from 'react';
import type { HostProfile } from '../../shared/hosts';
import type { InventoryDomain } from '../../shared/readiness';
import type { QuiescePolicy } from '../../shared/snapshot';
import { hasEnded } from '../operations/operation-record';
import { OperationView } from '../operations/operation-view';
import { liveFacts } from '../operations/phase-steps';
import { useOperation } from '../operations/use-operation';
import { useOperations } from '../operations/use-operations';
import { CloseActions, Dialog } from '../ui/dialog';
import { StatusLine } from '../ui/status-line';
import { SlowWindowNote } from './slow-window';
import { SnapshotForm } from './snapshot-form';
import { useSnapshotDefaults } from './use-snapshot';
import './snapshot.css';

/** Used when the remembered settings cannot be read: the product's own defaults. */
const FALLBACK = {
  policy: 'require',
  maxFreezeS: 10,
  remembered: false,
  testRestore: false,
} as const;

/**
 * Where the form starts: what was remembered for this domain stands; otherwise the policy the
 * row's button named ("Crash-consistent snapshot…"), else the defaults.
 */
function startingPoint<T extends { policy: QuiescePolicy; remembered: boolean }>(
  defaults: T,
  policy: QuiescePolicy | undefined,
): T {
  return defaults.remembered || !policy ? defaults : { ...defaults, policy };
}

/**
 * A consistent snapshot of one domain: its settings first, then, in the same dialog, the run as
 * it happens and its result. Closing the dialog does not stop anything: the operation runs on the
 * host, and the host page's operations list keeps following it (onClose hands its id over).
 */
export function SnapshotDialog({
  host,
  domain,
  policy,
  onClose,
}: {
  host: HostProfile;
  domain: Pick<InventoryDomain, 'uuid' | 'name' | 'readiness'>;
  /** The policy the row's button named ("Crash-consistent snapshot…"), unless one is remembered. */
  policy?: QuiescePolicy | undefined;
  onClose: (opId?: string) => void;
}) {
  const defaults = useSnapshotDefaults(host.id, domain.uuid);
  const [opId, setOpId] = useState<string>();

  return (
    <Dialog
      title={opId ? 'Snapshot of' : 'Consistent snapshot of'}
      subtitle={domain.name}
      onClose={() => onClose(opId)}
      testId="snapshot-dialog"
      className={opId ? 'dialog-wide' : undefined}
    >
      {opId ? (
        <SnapshotRun
          hostId={host.id}
          opId={opId}
          uuid={domain.uuid}
          domainName={domain.name}
          onClose={onClose}
        />
      ) : defaults.isPending ? (
        <StatusLine busy className="op-status">
          Reading this domain’s snapshot settings…
        </StatusLine>
      ) : (
        <>
          {defaults.isError && (
            <p className="notice-warning small">
              The settings remembered for this domain could not be read; the defaults are shown.
            </p>
          )}
          <SnapshotForm
            hostId={host.id}
            domain={domain}
            initial={startingPoint(defaults.data ?? FALLBACK, policy)}
            onStarted={setOpId}
            onCancel={() => onClose()}
          />
        </>
      )}
    </Dialog>
  );
}

/** The run inside the dialog, with the one way out focused: the operation goes on either way. */
function SnapshotRun({
  hostId,
  opId,
  uuid,
  domainName,
  onClose,
}: {
  hostId: string;
  opId: string;
  uuid: string;
  domainName: string;
  onClose: (opId?: string) => void;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  // The host's list is the one to say "lost" (the runner is gone): main's events cannot.
  const operations = useOperations(hostId).data?.operations;
  const listed = operations?.find((o) => o.opId === opId);
  const record = useOperation(hostId, opId).data;
  const running = !hasEnded(record) && (listed?.state ?? 'running') === 'running';
  // Known from the thaw on (the run goes on to the cut's end), from main's summary or the list.
  const windowMs =
    liveFacts(record?.events ?? []).windowMs ?? record?.summary?.windowMs ?? listed?.windowMs;
  // The submit button that had the focus is gone: keep Escape and Enter working from here.
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <>
      <OperationView hostId={hostId} opId={opId} listed={listed} domainName={domainName} />
      {typeof windowMs === 'number' && (
        <SlowWindowNote op={{ opId, uuid, windowMs }} operations={operations ?? []} />
      )}
      <CloseActions onClose={() => onClose(opId)} testId="snapshot-close" closeRef={closeRef}>
        <span className="muted small keys-note">
          {running
            ? 'Closing keeps the operation running; the host page follows it under Recent operations.'
            : 'The host page lists it under Recent operations.'}
        </span>
      </CloseActions>
    </>
  );
}
