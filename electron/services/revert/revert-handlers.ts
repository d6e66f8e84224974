import type { HostProfile } from '../../../shared/hosts';
import type { Handlers } from '../quiesce-service';
import type { SshConnection } from '../ssh/ssh-connection';
import { Reverts, type RevertsOptions } from './reverts';
import { RestoreTests } from './restore-tests';

type RevertMethods =
  | 'revert.preview'
  | 'revert.start'
  | 'revert.get'
  | 'revert.recover'
  | 'revert.branches'
  | 'revert.deleteBranch'
  | 'restore.start'
  | 'restore.get'
  | 'restore.list';

/** The revert methods of the contract, over a host's connection (`target` fails when not connected). */
export function revertHandlers(
  target: (hostId: string) => Promise<{ host: HostProfile; conn: SshConnection }>,
  opts: RevertsOptions,
): Pick<Handlers, RevertMethods> {
  const reverts = new Reverts(opts);
  const restoreTests = new RestoreTests({ agentTimeoutS: opts.agentTimeoutS });
  return {
    'revert.preview': async ({ hostId, uuid, target: to, allowForce, stopTimeoutS }) => {
      const { host, conn } = await target(hostId);
      return reverts.preview(host, conn, { uuid, target: to, allowForce, stopTimeoutS });
    },
    'revert.start': async ({ hostId, uuid, target: to, allowForce, stopTimeoutS }) => {
      const { host, conn } = await target(hostId);
      return reverts.start(host, conn, { uuid, target: to, allowForce, stopTimeoutS });
    },
    'revert.get': async ({ hostId, opId }) => {
      const { host, conn } = await target(hostId);
      return reverts.get(host, conn, opId);
    },
    'revert.recover': async ({ hostId, uuid }) => {
      const { host, conn } = await target(hostId);
      return reverts.recover(host, conn, uuid);
    },
    'revert.branches': async ({ hostId, uuid }) => {
      const { host, conn } = await target(hostId);
      const [branches, current] = await Promise.all([
        reverts.branches(host, conn, uuid),
        reverts.current(host, conn, uuid),
      ]);
      return { branches, current };
    },
    'revert.deleteBranch': async ({ hostId, uuid, id }) => {
      const { host, conn } = await target(hostId);
      return reverts.deleteBranch(host, conn, uuid, id);
    },
    'restore.start': async ({ hostId, uuid, name }) => {
      const { host, conn } = await target(hostId);
      return restoreTests.start(host, conn, uuid, name);
    },
    'restore.get': async ({ hostId, opId }) => {
      const { host, conn } = await target(hostId);
      return restoreTests.get(host, conn, opId);
    },
    'restore.list': async ({ hostId, uuid }) => {
      const { host, conn } = await target(hostId);
      return { results: await restoreTests.list(host, conn, uuid) };
    },
  };
}
