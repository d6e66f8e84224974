import { useRef, useState } from 'react';
import type { DiskChain, History, HistoryEntry } from '../../shared/history';
import { ConfirmDialog, type ConfirmAnswer } from '../ui/confirm-dialog';
import { Dialog } from '../ui/dialog';
import { Remedy } from '../ui/remedy';
import { formatFullTime } from './history-format';
import { REVERT_SINCE, manualRevert, stepText } from './manual-revert';

/**
 * Going back to a snapshot. Where libvirt can (≥ 9.9): a confirmation that the guest is stopped
 * and everything written after the snapshot is lost, the safe choice focused. Where it cannot
 * (libvirt 9.0 in the lab): why, and the procedure by hand with this domain's images named —
 * known from the abilities before anything is tried.
 */
export function RevertDialog({
  domain,
  entry,
  later,
  chains,
  abilities,
  ...answer
}: ConfirmAnswer & {
  domain: string;
  entry: HistoryEntry;
  /** The snapshots taken after this one: their points in time are lost too. */
  later: readonly string[];
  chains: readonly DiskChain[];
  abilities: History['abilities'];
}) {
  const { name } = entry;
  const when = formatFullTime(entry.createdAt);

  if (!abilities.revertExternal) {
    return (
      <RevertByHand
        domain={domain}
        entry={entry}
        chains={chains}
        libvirt={abilities.libvirt}
        onClose={answer.onCancel}
      />
    );
  }

  return (
    <ConfirmDialog
      testIds="history-revert"
      title={`Revert ${domain} to “${name}”?`}
      confirmText="Stop the guest and revert"
      busyText="Reverting…"
      {...answer}
    >
      <p>
        <strong>The guest is stopped</strong> (libvirt shuts it off) and its disks go back to{' '}
        <span className="mono">{name}</span>, as they were at {when}.
      </p>
      <p>
        <strong>Everything written after {name} is lost</strong>: the guest’s writes since then
        {later.length > 0 && (
          <>
            , and the points in time of the later snapshot{later.length === 1 ? '' : 's'}{' '}
            <span className="mono">{later.join(', ')}</span>
          </>
        )}
        .
      </p>
      <p className="muted small">
        The snapshot holds the disks only (no memory): the guest stays shut off afterwards; start it
        when you are ready.
      </p>
    </ConfirmDialog>
  );
}

function RevertByHand({
  domain,
  entry,
  chains,
  libvirt,
  onClose,
}: {
  domain: string;
  entry: HistoryEntry;
  chains: readonly DiskChain[];
  libvirt: string;
  onClose: () => void;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const procedure = manualRevert(domain, entry, chains, libvirt);
  const asText = [
    procedure.intro,
    ...procedure.steps.map((s, i) => `${i + 1}. ${stepText(s)}`),
    procedure.outro,
  ].join('\n');

  return (
    <Dialog
      title={`Reverting to “${entry.name}” is not available here`}
      onClose={onClose}
      testId="history-revert-explain"
      initialFocus={closeRef}
      tone="warning"
      className="dialog-procedure"
    >
      <p data-testid="history-revert-why">
        Quiesce cannot revert on this host: <strong>libvirt {libvirt}</strong> cannot revert to an
        external snapshot. That needs <strong>libvirt {REVERT_SINCE}</strong> or later.
      </p>
      <div className="box procedure" data-testid="history-revert-procedure">
        <p>{procedure.intro}</p>
        <ol>
          {procedure.steps.map((step, i) => (
            <li key={i}>
              {step.map((p, j) => (typeof p === 'string' ? p : <code key={j}>{p.command}</code>))}
            </li>
          ))}
        </ol>
        <p className="muted small">{procedure.outro}</p>
      </div>
      <Remedy
        text={`Follow the steps above on the host, or upgrade libvirt there to ${REVERT_SINCE} or later to revert from Quiesce.`}
      />
      <div className="dialog-actions">
        {copied && (
          <span className="muted small keys-note" role="status">
            {copied === 'yes' ? 'Copied.' : 'Copying failed: select the steps instead.'}
          </span>
        )}
        <button
          type="button"
          data-testid="history-revert-copy"
          onClick={() =>
            // No clipboard outside a secure context: say so rather than fail silently.
            (navigator.clipboard?.writeText(asText) ?? Promise.reject(new Error('no clipboard')))
              .then(() => setCopied('yes'))
              .catch(() => setCopied('failed'))
          }
        >
          Copy the steps
        </button>
        <button
          type="button"
          ref={closeRef}
          className="primary"
          data-testid="history-revert-close"
          onClick={onClose}
        >
          Close
        </button>
      </div>
    </Dialog>
  );
}
