import { useState } from 'react';
import type { HostProfile } from '../../shared/hosts';
import { formatTime } from '../ui/format';
import { CloseActions, Dialog, type DomainDialogProps } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { StatusLine } from '../ui/status-line';
import { RefreshButton } from '../ui/table-parts';
import { AddChannelConfirm } from './add-channel-confirm';
import { DoctorReport } from './doctor-report';
import { useAddChannel, useDoctor } from './use-doctor';
import './doctor.css';

/**
 * The agent doctor for one domain: runs the readiness checks again on the host with their
 * evidence, and shows what to do. The add-channel confirmation is a sibling dialog, not a child,
 * so its Escape closes only itself.
 */
export function DoctorDialog({ host, domain, onClose }: DomainDialogProps & { host: HostProfile }) {
  const report = useDoctor(host.id, domain.uuid);
  const add = useAddChannel(host.id, domain.uuid);
  const [confirming, setConfirming] = useState(false);
  const running = report.isFetching;

  return (
    <>
      <Dialog title="Agent doctor" subtitle={domain.name} onClose={onClose} testId="doctor">
        <div
          className="doctor stack"
          aria-busy={running}
          data-running={running}
          data-ran-at={report.data?.ranAt}
        >
          <StatusLine busy={running} className="doctor-status" testId="doctor-status">
            {running
              ? 'Running checks on the host…'
              : report.data
                ? `Checked at ${formatTime(report.data.ranAt)} on ${host.name} · ${domain.uuid}`
                : ''}
          </StatusLine>
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
        <CloseActions onClose={onClose} testId="doctor-close">
          <RefreshButton query={report} testId="doctor-rerun" label="Run again" />
        </CloseActions>
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
