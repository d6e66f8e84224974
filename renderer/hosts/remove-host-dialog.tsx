import type { HostProfile } from '../../shared/hosts';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { useRemoveHost } from './use-hosts';

/**
 * Asks before forgetting a host; says plainly what is and is not removed. `onClose` after the
 * removal or a cancel; a failed removal keeps the dialog open with the error.
 */
export function RemoveHostDialog({ host, onClose }: { host: HostProfile; onClose: () => void }) {
  const remove = useRemoveHost();
  return (
    <ConfirmDialog
      title={`Remove ${host.name}?`}
      testIds={{ dialog: 'remove-host-dialog', confirm: 'confirm-remove' }}
      confirmText="Remove host"
      busy={remove.isPending}
      tone="normal"
      onConfirm={() => remove.mutate(host.id, { onSuccess: onClose })}
      onCancel={onClose}
    >
      <p>
        Quiesce disconnects from the host and forgets this profile. Nothing changes on the host, and
        its key stays in known_hosts.
      </p>
      {remove.isError && <ErrorBox error={errorShape(remove.error)} />}
    </ConfirmDialog>
  );
}
