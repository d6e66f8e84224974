import { useState } from 'react';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import { DoctorDialog } from '../doctor/doctor-dialog';
import { DomainTable } from '../domains/domain-table';
import { useDomains } from '../domains/use-domains';
import { PrerequisitesPanel } from './prerequisites-panel';

/** A connected host's inventory: its prerequisites, its domains, and the doctor when asked. */
export function HostInventory({ host }: { host: HostProfile }) {
  const domains = useDomains(host.id, true);
  const [doctorFor, setDoctorFor] = useState<Pick<Domain, 'uuid' | 'name'>>();
  return (
    <>
      {domains.data && <PrerequisitesPanel prerequisites={domains.data.prerequisites} />}
      <DomainTable host={host} onDoctor={(d) => setDoctorFor({ uuid: d.uuid, name: d.name })} />
      {doctorFor && (
        <DoctorDialog
          key={doctorFor.uuid}
          host={host}
          domain={doctorFor}
          onClose={() => setDoctorFor(undefined)}
        />
      )}
    </>
  );
}
