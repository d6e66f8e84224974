import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloneXml } from '../../electron/services/revert/restore-test-plan';
import { exportGuest, waitAgent } from './export-guest';
import { labVirsh } from './snapshot-helpers';

/**
 * A PERSISTENT throwaway domain for tests that stop it and edit its definition (a restore over
 * the original): the agent guest's definition as a clone (restore-test-plan.ts: new name and
 * UUID, no interface) on a data disk of its own (exportGuest's, whose transient domain is
 * replaced by this defined one), started, its agent answering. `remove` destroys and undefines it
 * (with its checkpoints' metadata) and deletes its folder.
 */
export async function throwawayDomain(
  uri: string,
  agentUuid: string,
  opts: { diskMiB: number; filledMiB: number },
): Promise<{ name: string; uuid: string; disk: string; dir: string; remove: () => void }> {
  const g = await exportGuest(uri, agentUuid, opts);
  const uuid = randomUUID();
  const remove = () => {
    for (const args of [
      ['destroy', uuid],
      ['undefine', uuid, '--checkpoints-metadata'],
    ]) {
      try {
        labVirsh(uri, ...args);
      } catch {
        /* not running, or gone */
      }
    }
    g.remove();
  };
  try {
    labVirsh(uri, 'destroy', g.name);
    const xml = cloneXml(
      labVirsh(uri, 'dumpxml', agentUuid, '--inactive'),
      [{ target: 'vda', frozen: g.disk, format: 'qcow2', current: g.disk, overlay: g.disk }],
      g.name,
      uuid,
    );
    writeFileSync(join(g.dir, 'domain.xml'), xml);
    labVirsh(uri, 'define', join(g.dir, 'domain.xml'));
    labVirsh(uri, 'start', uuid);
    await waitAgent(g.name);
    return { name: g.name, uuid, disk: g.disk, dir: g.dir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
