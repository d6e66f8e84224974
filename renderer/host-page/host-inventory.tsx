import { useState } from "react";
import type { Domain } from "../../shared/domains";
import type { HostProfile } from "../../shared/hosts";
import type { InventoryDomain } from "../../shared/readiness";
import { DoctorDialog } from "../doctor/doctor-dialog";
import { DomainTable } from "../domains/domain-table";
import { useDomains } from "../domains/use-domains";
import { OperationsPanel } from "../operations/operations-panel";
import { SchedulesPanel } from "../schedule/schedules-panel";
import { SnapshotDialog } from "../snapshot/snapshot-dialog";
import { PrerequisitesPanel } from "./prerequisites-panel";

/**
 * A connected host's inventory: its prerequisites, its domains, its recent snapshot operations,
 * and the doctor or the snapshot dialog when asked. An operation started from the dialog stays
 * open below the operations list once the dialog closes, so its progress is never out of reach.
 */
export function HostInventory({ host }: { host: HostProfile }) {
  const domains = useDomains(host.id, true);
  const [doctorFor, setDoctorFor] = useState<Pick<Domain, "uuid" | "name">>();
  const [snapshotFor, setSnapshotFor] = useState<InventoryDomain>();
  const [openOp, setOpenOp] = useState<string>();
  const list = domains.data?.domains ?? [];
  // Looked up on every render, so the readiness note follows the inventory while the dialog is
  // open; the domain as it was when the dialog opened stands in while the list is being re-read.
  const snapshotDomain =
    snapshotFor &&
    (list.find((d) => d.uuid === snapshotFor.uuid) ?? snapshotFor);
  return (
    <>
      {domains.data && (
        <PrerequisitesPanel prerequisites={domains.data.prerequisites} />
      )}
      <DomainTable
        host={host}
        onDoctor={(d) => setDoctorFor({ uuid: d.uuid, name: d.name })}
        onSnapshot={setSnapshotFor}
      />
      {domains.data && (
        <OperationsPanel
          host={host}
          domains={list}
          selected={openOp}
          onSelect={setOpenOp}
        />
      )}
      {domains.data && <SchedulesPanel host={host} domains={list} />}
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
          onClose={(opId) => {
            setSnapshotFor(undefined);
            if (opId) setOpenOp(opId);
          }}
        />
      )}
    </>
  );
}
