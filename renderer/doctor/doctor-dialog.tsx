import { useState } from 'react';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import { formatTime } from '../ui/format';
import { Dialog } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { AddChannelConfirm } from './add-channel-confirm';
import { DoctorReport } from './doctor-report';
import { useAddChannel, useDoctor } from './use-doctor';
import './doctor.css';

/**
 * The agent doctor for one domain: runs the readiness checks again on the host with their
 * evidence, and shows what to do. The add-channel confirmation is a sibling dialog, not a child,
 * so its Escape closes only itself.
 */
export function DoctorDialog({
  host,
  domain,
  onClose,
}: {
  host: HostProfile;
  domain: Pick<Domain, 'uuid' | 'name'>;
  onClose: () => void;
}) {
  const report = useDoctor(host.id, domain.uuid);
  const add = useAddChannel(host.id, domain.uuid);
  const [confirming, setConfirming] = useState(false);
  const running = report.isFetching;

  return (
    <>
      <Dialog
        title={
          <>
            Agent doctor <span className="dialog-subtitle">{domain.name}</span>
          </>
        }
        onClose={onClose}
        testId="doctor"
      >
        <div
          className="doctor"
          aria-busy={running}
          data-running={running}
          data-ran-at={report.data?.ranAt}
        >
          <p className="doctor-status muted small" role="status" data-testid="doctor-status">
            {running ? (
              <>
                <span className="spinner" aria-hidden="true" />
                Running checks on the host…
              </>
            ) : report.data ? (
              `Checked at ${formatTime(report.data.ranAt)} on ${host.name} · ${domain.uuid}`
            ) : (
              ''
            )}
          </p>
          {report.isError && !running && <ErrorBox error={errorShape(report.error)} />}
          {report.data && (
            <div className={running ? 'doctor-body is-stale' : 'doctor-body'}>
              <DoctorReport
                hostId={host.id}
                report={report.data}
                add={add}
                onAdd={() => setConfirming(true)}
              />
            </div>
          )}
        </div>
        <div className="dialog-actions">
          <button
            type="button"
            data-testid="doctor-rerun"
            disabled={running}
            onClick={() => void report.refetch()}
          >
            Run again
          </button>
          <button type="button" className="primary" data-testid="doctor-close" onClick={onClose}>
            Close
          </button>
        </div>
      </Dialog>
      {confirming && (
        <AddChannelConfirm
          name={domain.name}
          busy={add.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => add.mutate(undefined, { onSettled: () => setConfirming(false) })}
        />
      )}
    </>
  );
}
