import { ConfirmDialog, type ConfirmAnswer } from '../ui/confirm-dialog';

/**
 * Asks before the definition changes, and says plainly that nothing changes for the running
 * guest until libvirt restarts it. The safe choice has the focus.
 */
export function AddChannelConfirm({
  name,
  ...answer
}: ConfirmAnswer & {
  name: string;
}) {
  return (
    <ConfirmDialog
      testIds="doctor-add-channel"
      title={`Add the agent channel to ${name}?`}
      confirmText="Add channel"
      busyText="Adding…"
      danger={false}
      {...answer}
    >
      <p>
        Quiesce adds the channel to the domain’s <strong>persistent definition</strong> (
        <span className="mono">virsh attach-device --config</span>). The running guest does not see
        it: <strong>shut the guest down and start it again from libvirt</strong> — a reboot inside
        the guest is not enough.
      </p>
      <p>Then install and start the QEMU guest agent in the guest.</p>
    </ConfirmDialog>
  );
}
