import { execFileSync } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';
import type { AppEvent } from '../../shared/events';
import type { OperationSummary } from '../../shared/snapshot';
import type { serviceHarness } from './service-harness';

type Harness = ReturnType<typeof serviceHarness>;

/** Waits until the operation's journal has ended (or the timeout), then returns its summary. */
export async function waitForEnd(
  h: Harness,
  opId: string,
  timeoutMs = 60_000,
): Promise<OperationSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ended = h.events.some(
      (e: AppEvent) => e.type === 'operation' && e.opId === opId && e.event.kind === 'end',
    );
    if (ended || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await h.call('snapshot.get', { hostId: hostOf(h, opId), opId })).summary;
}

function hostOf(h: Harness, opId: string): string {
  const e = h.events.find((x) => x.type === 'operation' && x.opId === opId);
  if (!e || e.type !== 'operation') throw new Error(`no event for operation ${opId}`);
  return e.hostId;
}

/** The lab host's libvirt, as root, for checks and clean-up the app must not do itself. */
export function labVirsh(uri: string, ...args: string[]): string {
  return execFileSync('virsh', ['-c', uri, ...args], { encoding: 'utf8', stdio: 'pipe' });
}

/** The agent's own word on the freeze (`guest-fsfreeze-status`), asked directly through libvirt. */
export function fsfreezeStatus(uri: string, domain: string): string {
  const out = labVirsh(uri, 'qemu-agent-command', domain, '{"execute":"guest-fsfreeze-status"}');
  return (JSON.parse(out) as { return: string }).return;
}

/** Deletes every snapshot of a domain (external ones merge back: libvirt 9.0 can). */
export function deleteAllSnapshots(uri: string, uuid: string): void {
  const names = labVirsh(uri, 'snapshot-list', '--domain', uuid, '--name', '--topological')
    .trim()
    .split('\n')
    .filter(Boolean)
    .reverse();
  // by option: a left-over snapshot named "--current" must not delete the current one
  for (const n of names) labVirsh(uri, 'snapshot-delete', '--domain', uuid, '--snapshotname', n);
}

/** A snapshot's description as libvirt stores it, XML-unescaped. */
export function snapshotDescription(uri: string, uuid: string, name: string): string {
  const xml = labVirsh(uri, 'snapshot-dumpxml', '--domain', uuid, '--snapshotname', name);
  const doc = new XMLParser({
    processEntities: true,
    parseTagValue: false,
    trimValues: false,
  }).parse(xml) as {
    domainsnapshot?: { description?: string };
  };
  return String(doc.domainsnapshot?.description ?? '');
}
