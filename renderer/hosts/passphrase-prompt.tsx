import { useId, useState, type FormEvent } from 'react';
import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';
import { Checkbox } from '../ui/checkbox';
import { Dialog, SubmitActions } from '../ui/dialog';
import { TextField } from '../ui/text-field';

/**
 * Asks for an encrypted key's passphrase. The value lives in this component's state until it is
 * handed to the connect attempt. It is saved only when the admin ticks "remember", and then only
 * sealed by the OS keychain; where the keychain is plain text the box is off and says why.
 */
export function PassphrasePrompt({
  keyPath,
  wrong,
  busy,
  onSubmit,
  onCancel,
}: {
  keyPath: string;
  wrong: boolean;
  busy: boolean;
  onSubmit: (passphrase: string, remember: boolean) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState('');
  const [remember, setRemember] = useState(false);
  const id = useId();
  const vault = useCallQuery(queryKeys.vault, 'secrets.status', {}, { staleTime: 60_000 });
  const canRemember = vault.data?.available === true;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    onSubmit(value, remember && canRemember);
    // Handed over: the field does not keep a copy, and a wrong one must be typed afresh anyway.
    setValue('');
  }

  return (
    <Dialog title="Key passphrase" onClose={onCancel} testId="passphrase-dialog">
      <form onSubmit={submit}>
        <p>
          The key file <span className="mono">{keyPath}</span> is encrypted. Enter its passphrase to
          connect. Unless you ask it to remember the passphrase, Quiesce keeps it in memory for this
          attempt only and never saves it.
        </p>
        <TextField
          id={`${id}-passphrase`}
          label="Passphrase"
          type="password"
          value={value}
          onChange={setValue}
          autoComplete="off"
          error={wrong ? 'Wrong passphrase — try again.' : undefined}
        />
        <Checkbox
          checked={remember && canRemember}
          disabled={!canRemember}
          describedBy={canRemember ? undefined : `${id}-vault-reason`}
          testId="passphrase-remember"
          onChange={setRemember}
        >
          Remember it in the OS keychain
        </Checkbox>
        {vault.data && !vault.data.available && (
          <p
            id={`${id}-vault-reason`}
            className="muted small"
            data-testid="passphrase-vault-reason"
          >
            {vault.data.reason}
          </p>
        )}
        <SubmitActions
          submitText="Unlock and connect"
          busyText="Connecting…"
          busy={busy}
          onDismiss={onCancel}
          testId="passphrase-submit"
        />
      </form>
    </Dialog>
  );
}
