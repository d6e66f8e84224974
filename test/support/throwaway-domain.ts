import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloneXml } from '../../electron/services/revert/restore-test-plan';
import { exportGuestDisk, waitAgent } from './export-guest';
import { labVirsh } from './snapshot-helpers';

/**
 * A PERSISTENT throwaway domain for tests that stop it and edit its definition (a restore over
 * the original): the agent guest's definition as a clone (restore-test-plan.ts: new name and
 * UUID, no interface) on a data disk of its own (exportGuestDisk's), defined, started, its agent
 * answering. It boots once: it used to boot as exportGuest's transient clone first, waited for,
 * then destroyed (a TCG boot of several seconds for nothing). `remove` destroys and undefines it
 * (with its checkpoints' metadata) and deletes its folder.
 */
export async function throwawayDomain(
  uri: string,
  agentUuid: string,
  opts: { diskMiB: number; filledMiB: number },
): Promise<{ name: string; uuid: string; disk: string; dir: string; remove: () => void }> {
  const g = exportGuestDisk(opts);
  const name = `quiesce-export-guest-${randomBytes(3).toString('hex')}`;
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
    const xml = cloneXml(
      labVirsh(uri, 'dumpxml', agentUuid, '--inactive'),
      [{ target: 'vda', frozen: g.disk, format: 'qcow2', current: g.disk, overlay: g.disk }],
      name,
      uuid,
    );
    writeFileSync(join(g.dir, 'domain.xml'), xml);
    labVirsh(uri, 'define', join(g.dir, 'domain.xml'));
    labVirsh(uri, 'start', uuid);
    await waitAgent(name);
    return { name, uuid, disk: g.disk, dir: g.dir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
