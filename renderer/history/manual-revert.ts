import type { DiskChain, HistoryEntry } from '../../shared/history';
import { shellCommand } from '../../shared/shell-command';
import { deletePlan } from './chain-view';

/** Where libvirt learnt to revert to an external snapshot (as main's prerequisites say). */
export const REVERT_SINCE = '9.9';
export const DELETE_SINCE = '9.0';

/**
 * A step of a procedure: text, and commands to copy. A command is a part of its own (shown as
 * code), never text between backticks: a hostile name may hold a backtick.
 */
export type StepPart = string | { command: string };
export type Step = readonly StepPart[];

/** A step as one line of text, for copying. */
export function stepText(step: Step): string {
  return step.map((p) => (typeof p === 'string' ? p : p.command)).join('');
}

export interface ManualRevert {
  intro: string;
  steps: Step[];
  outro: string;
}

/**
 * The way back by hand where libvirt cannot revert to an external snapshot: the same procedure
 * main returns with history.revert's error (history-actions.ts), with the images named where the
 * chain knows them, so the admin does not have to look them up. Every word is quoted by
 * shellCommand; the domain and the snapshot go after --domain / --snapshotname, so a name that
 * begins with "--" is not read as an option.
 */
export function manualRevert(
  domain: string,
  entry: Pick<HistoryEntry, 'name' | 'disks'>,
  chains: readonly DiskChain[],
  libvirt: string,
): ManualRevert {
  const virsh = (...args: string[]) => ({ command: shellCommand(['virsh', ...args]) });
  const path = (p: string) => ({ command: shellCommand([p]) });
  const known = deletePlan(entry, chains).filter((s) => s.into !== null);
  const images: StepPart[] = known.flatMap((s, i) => [
    `${i === 0 ? ' Here: ' : '; '}${s.target}: the snapshot’s content is `,
    path(s.into!),
    ' (the backing file of ',
    path(s.overlay),
    ')',
  ]);
  return {
    intro: `libvirt ${libvirt} cannot revert to an external snapshot (that arrived in libvirt ${REVERT_SINCE}). By hand, on the host:`,
    steps: [
      [
        'Stop the guest: ',
        virsh('shutdown', '--domain', domain),
        ' (or ',
        virsh('destroy', '--domain', domain),
        ').',
      ],
      [
        'For each disk, find the image the snapshot froze: ',
        virsh('snapshot-dumpxml', '--domain', domain, '--snapshotname', entry.name),
        ' names the overlay that took the writes after it; its backing file (',
        { command: 'qemu-img info <overlay>' },
        ') is the snapshot’s content.',
        ...(images.length ? [...images, '.'] : []),
      ],
      [
        'Put a fresh overlay on that image, so it stays untouched: ',
        { command: 'qemu-img create -f qcow2 -F qcow2 -b <that image> <new overlay>' },
        '.',
      ],
      [
        virsh('edit', '--domain', domain),
        ': point the disk’s <source file=…> at the new overlay; start the guest.',
      ],
    ],
    outro:
      'Everything written after the snapshot stays in the later overlays until you delete them.',
  };
}
