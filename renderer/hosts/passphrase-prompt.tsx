import { useId, useState, type FormEvent } from 'react';
import { Dialog } from '../ui/dialog';
import { TextField } from '../ui/text-field';

/**
 * Asks for an encrypted key's passphrase. The value lives in this component's state until it is
 * handed to the connect attempt; it is never saved (shared/hosts.ts: profiles hold no secret).
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
  onSubmit: (passphrase: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState('');
  const id = useId();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    onSubmit(value);
    // Handed over: the field does not keep a copy, and a wrong one must be typed afresh anyway.
    setValue('');
  }

  return (
    <Dialog title="Key passphrase" onClose={onCancel} testId="passphrase-dialog">
      <form onSubmit={submit}>
        <p>
          The key file <span className="mono">{keyPath}</span> is encrypted. Enter its passphrase to
          connect. Quiesce keeps it in memory for this attempt only and never saves it.
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
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="passphrase-submit">
            {busy ? 'Connecting…' : 'Unlock and connect'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
