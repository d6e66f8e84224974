import type { DoctorReport as Report } from '../../shared/readiness';
import type { ReadinessLevel } from '../../shared/readiness';
import { ChannelRemedy } from './channel-remedy';
import { DoctorSteps } from './doctor-steps';
import { DoctorVerdict } from './doctor-verdict';
import { FilesystemsTable } from './filesystems-table';
import { FreezeHookStatus } from './freeze-hook-status';
import { InstallAdvice } from './install-advice';
import { TestFreeze } from './test-freeze';
import type { useAddChannel } from './use-doctor';

/** Where installing (or starting) the agent is the way forward. */
const NEEDS_AGENT: readonly ReadinessLevel[] = [
  'no-channel',
  'agent-not-connected',
  'agent-not-responding',
];

/** Where a test freeze can tell something (the agent answers and nothing is frozen). */
const CAN_TRY_FREEZE: readonly ReadinessLevel[] = ['ready', 'freeze-unsupported'];

/** One doctor run: the verdict first, then each check, then what can be done about it. */
export function DoctorReport({
  hostId,
  report,
  add,
  onAdd,
}: {
  hostId: string;
  report: Report;
  add: ReturnType<typeof useAddChannel>;
  onAdd: () => void;
}) {
  const domain = { uuid: report.uuid, name: report.name };
  return (
    <>
      <DoctorVerdict hostId={hostId} domain={domain} readiness={report.readiness} />
      <DoctorSteps steps={report.steps} />
      {report.channelXml && (
        <ChannelRemedy channelXml={report.channelXml} add={add} onAdd={onAdd} />
      )}
      {report.install && NEEDS_AGENT.includes(report.readiness.level) && (
        <InstallAdvice install={report.install} />
      )}
      {report.filesystems && <FilesystemsTable filesystems={report.filesystems} />}
      {report.freezeHook && <FreezeHookStatus hook={report.freezeHook} />}
      {CAN_TRY_FREEZE.includes(report.readiness.level) && (
        <TestFreeze hostId={hostId} uuid={report.uuid} />
      )}
    </>
  );
}
