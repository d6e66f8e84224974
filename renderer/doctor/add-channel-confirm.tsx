import { useRef } from 'react';
import { Dialog } from '../ui/dialog';

/**
 * Asks before the definition changes, and says plainly that nothing changes for the running
 * guest until libvirt restarts it. The safe choice has the focus.
 */
export function AddChannelConfirm({
  name,
  busy,
  onConfirm,
  onCancel,
}: {
  name: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      title={`Add the agent channel to ${name}?`}
      onClose={onCancel}
      testId="doctor-add-channel-confirm"
      initialFocus={cancelRef}
      tone="warning"
    >
      <p>
        Quiesce adds the channel to the domain’s <strong>persistent definition</strong> (
        <span className="mono">virsh attach-device --config</span>). The running guest does not see
        it: <strong>shut the guest down and start it again from libvirt</strong> — a reboot inside
        the guest is not enough.
      </p>
      <p>Then install and start the QEMU guest agent in the guest.</p>
      <div className="dialog-actions">
        <button
          type="button"
          ref={cancelRef}
          data-testid="doctor-add-channel-cancel"
          onClick={onCancel}
        >
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          data-testid="doctor-add-channel-yes"
          disabled={busy}
          onClick={onConfirm}
        >
          {busy ? 'Adding…' : 'Add channel'}
        </button>
      </div>
    </Dialog>
  );
}
