import type { RevertDisk } from '../../../shared/revert';
import { buildOrdered, childrenOf as kids, parseOrdered, tagOf } from './ordered-xml';
import { pointDisksAt } from './revert-plan';

/**
 * The disposable clone of a restore test (restore-test.sh boots it): the domain's persistent
 * definition (same CPU, memory and boot) with a new name and UUID, its snapshot disks on overlays
 * of their own, and nothing it could share with the original or the network: no interface, no
 * host device or shared folder, no file-backed console, no fixed display port, and no writable
 * disk the snapshot did not cover (read-only ones, like an installer ISO, stay).
 */
const DROPPED = new Set([
  'interface',
  'hostdev',
  'filesystem',
  'redirdev',
  'smartcard',
  'serial',
  'console',
  'parallel',
  'graphics',
  'tpm',
  'shmem',
]);

export function cloneXml(
  definition: string,
  disks: readonly RevertDisk[],
  name: string,
  uuid: string,
): string {
  const doc = parseOrdered(pointDisksAt(definition, disks));
  const domain = doc.find((n) => tagOf(n) === 'domain');
  if (!domain) throw new Error('not a domain definition');
  const covered = new Set(disks.map((d) => d.target));
  for (const n of kids(domain)) {
    const t = tagOf(n)!;
    if (t === 'name') n.name = [{ '#text': name }];
    if (t === 'uuid') n.uuid = [{ '#text': uuid }];
    if (t !== 'devices') continue;
    n.devices = kids(n).filter((d) => {
      const dt = tagOf(d)!;
      if (DROPPED.has(dt)) return false;
      if (dt === 'channel') return d[':@']?.['@type'] === 'unix'; // the agent's, path chosen by libvirt
      if (dt !== 'disk') return true;
      const target = kids(d).find((x) => tagOf(x) === 'target')?.[':@']?.['@dev'] ?? '';
      const readonly = kids(d).some((x) => tagOf(x) === 'readonly');
      return covered.has(target) || readonly;
    });
    // the agent channel's socket path, if the definition fixed one, would be the original's
    for (const ch of kids(n).filter((d) => tagOf(d) === 'channel')) {
      ch.channel = kids(ch).filter((x) => tagOf(x) !== 'source');
    }
  }
  return buildOrdered(doc);
}
