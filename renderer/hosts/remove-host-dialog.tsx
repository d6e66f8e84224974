import type { HostProfile } from '../../shared/hosts';
import { Dialog } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { useRemoveHost } from './use-hosts';

/** Asks before forgetting a host; says plainly what is and is not removed. */
export function RemoveHostDialog({
  host,
  onRemoved,
  onCancel,
}: {
  host: HostProfile;
  onRemoved: () => void;
  onCancel: () => void;
}) {
  const remove = useRemoveHost();
  return (
    <Dialog title={`Remove ${host.name}?`} onClose={onCancel} testId="remove-host-dialog">
      <p>
        Quiesce disconnects from the host and forgets this profile. Nothing changes on the host, and
        its key stays in known_hosts.
      </p>
      {remove.isError && <ErrorBox error={errorShape(remove.error)} />}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          data-testid="confirm-remove"
          disabled={remove.isPending}
          onClick={() => remove.mutate(host.id, { onSuccess: onRemoved })}
        >
          Remove host
        </button>
      </div>
    </Dialog>
  );
}
