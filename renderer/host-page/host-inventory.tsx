import { lazy, Suspense, useState } from 'react';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import type { InventoryDomain } from '../../shared/readiness';
import { DomainTable } from '../domains/domain-table';
import { useDomains } from '../domains/use-domains';
import { OperationsPanel } from '../operations/operations-panel';
import { primaryAction } from '../domains/primary-action';
import type { QuiescePolicy } from '../../shared/snapshot';
import { PrerequisitesPanel } from './prerequisites-panel';
import { useDomainPage } from './use-domain-page';

// Loaded when first opened: the first screen is the domain list, not the charts or the doctor.
const DoctorDialog = lazy(() =>
  import('../doctor/doctor-dialog').then((m) => ({ default: m.DoctorDialog })),
);
const SnapshotDialog = lazy(() =>
  import('../snapshot/snapshot-dialog').then((m) => ({ default: m.SnapshotDialog })),
);
// Below the domain list, with the schedule rules and their validation: loaded after the list.
const SchedulesPanel = lazy(() =>
  import('../schedule/schedules-panel').then((m) => ({ default: m.SchedulesPanel })),
);
const DomainHistoryPage = lazy(() =>
  import('./domain-history-page').then((m) => ({ default: m.DomainHistoryWithExports })),
);

/**
 * A connected host's inventory: its prerequisites, its domains, its recent snapshot operations,
 * and the doctor or the snapshot dialog when asked. An operation started from the dialog stays
 * open below the operations list once the dialog closes, so its progress is never out of reach.
 */
export function HostInventory({ host }: { host: HostProfile }) {
  const domains = useDomains(host.id, true);
  const [doctorFor, setDoctorFor] = useState<Pick<Domain, 'uuid' | 'name'>>();
  const [snapshotFor, setSnapshotFor] = useState<{
    domain: InventoryDomain;
    policy?: QuiescePolicy;
  }>();
  // A domain's history is a page in place of the list (the list kept behind it, hidden).
  const historyPage = useDomainPage<InventoryDomain>();
  const [openOp, setOpenOp] = useState<string>();
  const list = domains.data?.domains ?? [];
  // Looked up on every render, so the readiness note follows the inventory while the dialog is
  // open; the domain as it was when the dialog opened stands in while the list is being re-read.
  const snapshotDomain =
    snapshotFor && (list.find((d) => d.uuid === snapshotFor.domain.uuid) ?? snapshotFor.domain);
  return (
    <>
      {historyPage.shown && (
        <Suspense
          fallback={
            <p className="placeholder" role="status">
              Opening…
            </p>
          }
        >
          <DomainHistoryPage
            key={historyPage.shown.uuid}
            domain={historyPage.shown}
            onBack={historyPage.back}
          />
        </Suspense>
      )}
      <div style={{ display: historyPage.shown ? 'none' : 'contents' }}>
        {domains.data && <PrerequisitesPanel prerequisites={domains.data.prerequisites} />}
        <DomainTable
          host={host}
          onDoctor={(d) => setDoctorFor({ uuid: d.uuid, name: d.name })}
          onSnapshot={(d) =>
            setSnapshotFor({ domain: d, policy: primaryAction(d.readiness.level).policy })
          }
          onHistory={historyPage.open}
        />
        {domains.data && (
          <OperationsPanel host={host} domains={list} selected={openOp} onSelect={setOpenOp} />
        )}
        {domains.data && (
          <Suspense fallback={null}>
            <SchedulesPanel host={host} domains={list} />
          </Suspense>
        )}
      </div>
      <Suspense
        fallback={
          <p className="placeholder" role="status">
            Opening…
          </p>
        }
      >
        {doctorFor && (
          <DoctorDialog
            key={doctorFor.uuid}
            host={host}
            domain={doctorFor}
            onClose={() => setDoctorFor(undefined)}
          />
        )}
        {snapshotDomain && (
          <SnapshotDialog
            key={snapshotDomain.uuid}
            host={host}
            domain={snapshotDomain}
            policy={snapshotFor?.policy}
            onClose={(opId) => {
              setSnapshotFor(undefined);
              if (opId) setOpenOp(opId);
            }}
          />
        )}
      </Suspense>
    </>
  );
}
