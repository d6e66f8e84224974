import type { DiskChain, HistoryEntry } from '../../shared/history';
import { deletePlan } from './chain-view';

/** Where libvirt learnt to revert to an external snapshot (as main's prerequisites say). */
export const REVERT_SINCE = '9.9';
export const DELETE_SINCE = '9.0';

/** A word as an admin would paste it into a shell: bare when safe, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._/:@%+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface ManualRevert {
  intro: string;
  /** Commands are in backticks (rendered as code by withCode). */
  steps: string[];
  outro: string;
}

/**
 * The way back by hand where libvirt cannot revert to an external snapshot: the same procedure
 * main returns with history.revert's error (history-actions.ts), with the images named where the
 * chain knows them, so the admin does not have to look them up.
 */
export function manualRevert(
  domain: string,
  entry: Pick<HistoryEntry, 'name' | 'disks'>,
  chains: readonly DiskChain[],
  libvirt: string,
): ManualRevert {
  const d = shellWord(domain);
  const n = shellWord(entry.name);
  const known = deletePlan(entry, chains).filter((s) => s.into !== null);
  const images = known.map(
    (s) =>
      `${s.target}: the snapshot’s content is \`${s.into}\` (the backing file of \`${s.overlay}\`)`,
  );
  return {
    intro: `libvirt ${libvirt} cannot revert to an external snapshot (that arrived in libvirt ${REVERT_SINCE}). By hand, on the host:`,
    steps: [
      `Stop the guest: \`virsh shutdown ${d}\` (or \`virsh destroy ${d}\`).`,
      `For each disk, find the image the snapshot froze: \`virsh snapshot-dumpxml ${d} ${n}\` names the overlay that took the writes after it; its backing file (\`qemu-img info <overlay>\`) is the snapshot’s content.${images.length ? ` Here: ${images.join('; ')}.` : ''}`,
      'Put a fresh overlay on that image, so it stays untouched: `qemu-img create -f qcow2 -F qcow2 -b <that image> <new overlay>`.',
      `\`virsh edit ${d}\`: point the disk’s <source file=…> at the new overlay; start the guest.`,
    ],
    outro:
      'Everything written after the snapshot stays in the later overlays until you delete them.',
  };
}
