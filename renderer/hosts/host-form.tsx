import { useId, useRef, useState, type FormEvent } from 'react';
import type { AppErrorShape } from '../../shared/errors';
import type { HostProfile } from '../../shared/hosts';
import { Dialog, SubmitActions } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { TextField } from '../ui/text-field';
import {
  draftFromHost,
  draftFromSshConfig,
  emptyDraft,
  fieldErrorsFromRemote,
  validateDraft,
  type DraftFields,
  type FieldErrors,
  type FieldName,
} from './host-draft';
import { LegacyAlgorithmsField } from './legacy-algorithms';
import { SshConfigPicker } from './ssh-config-picker';
import { useSaveHost } from './use-hosts';

/** How Quiesce logs in, as the form offers it. */
const AUTH_CHOICES = [
  ['agent', 'ssh-agent'],
  ['key', 'Key file'],
] as const;

/**
 * Adds a host, or edits one when `host` is given. Enter saves (a plain form submit), Escape
 * cancels (the dialog), and the name field has the focus on open.
 */
export function HostForm({
  host,
  onSaved,
  onCancel,
}: {
  host?: HostProfile;
  onSaved: (saved: HostProfile) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<DraftFields>(() =>
    host ? draftFromHost(host) : emptyDraft(),
  );
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<AppErrorShape | null>(null);
  const save = useSaveHost();
  const firstField = useRef<HTMLInputElement>(null);
  const uid = useId();
  const id = (field: string) => `${uid}-${field}`;

  const set = (field: FieldName) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    // An error stays until the field it is about changes, not until the next keystroke anywhere.
    setFieldErrors((e) => ({ ...e, [field]: undefined }));
  };

  /** What every text field of the form takes from its name: id, value, change, error. */
  const field = (name: Exclude<FieldName, 'authKind'>) => ({
    id: id(name),
    value: draft[name],
    onChange: set(name),
    error: fieldErrors[name],
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (save.isPending) return;
    setFormError(null);
    const checked = validateDraft(draft, host?.id);
    if ('errors' in checked) {
      setFieldErrors(checked.errors);
      return;
    }
    try {
      onSaved(await save.mutateAsync(checked.input));
    } catch (err) {
      const shape = errorShape(err);
      const fields = fieldErrorsFromRemote(shape);
      if (fields) setFieldErrors(fields);
      else setFormError(shape);
    }
  }

  const hasFieldErrors = Object.values(fieldErrors).some(Boolean);
  return (
    <Dialog
      title={host ? `Edit ${host.name}` : 'Add host'}
      onClose={onCancel}
      initialFocus={firstField}
    >
      <form className="host-form" data-testid="host-form" onSubmit={submit} noValidate>
        <SshConfigPicker
          id={id('ssh-config')}
          alias={draft.sshConfigAlias}
          onPick={(picked) => {
            setDraft((d) => draftFromSshConfig(picked, d));
            setFieldErrors({});
          }}
        />
        <TextField
          {...field('name')}
          label="Name"
          inputRef={firstField}
          placeholder="e.g. kvm-01"
        />
        <div className="field-row">
          <TextField
            {...field('address')}
            label="Address"
            placeholder="host name or IP"
            className="grow"
          />
          <TextField {...field('port')} label="Port" inputMode="numeric" className="field-port" />
        </div>
        <TextField {...field('user')} label="User" placeholder="a user in the libvirt group" />
        <fieldset className="field choice-row">
          <legend>Authentication</legend>
          {AUTH_CHOICES.map(([kind, text]) => (
            <label key={kind} className="radio">
              <input
                type="radio"
                name={id('auth')}
                value={kind}
                checked={draft.authKind === kind}
                onChange={() => set('authKind')(kind)}
              />
              {text}
            </label>
          ))}
          {fieldErrors.authKind && <p className="field-error">{fieldErrors.authKind}</p>}
        </fieldset>
        {draft.authKind === 'key' && (
          <TextField
            {...field('keyPath')}
            label="Key file path"
            placeholder="/home/you/.ssh/id_ed25519"
            hint="The private key. If it has a passphrase, Quiesce asks for it at connect time and never saves it."
            mono
          />
        )}
        <TextField
          {...field('libvirtUri')}
          label="Libvirt URI"
          hint="As virsh -c takes it, run on the host."
          mono
        />
        <LegacyAlgorithmsField
          id={id('legacy')}
          checked={draft.allowLegacyAlgorithms}
          onChange={(on) => setDraft((d) => ({ ...d, allowLegacyAlgorithms: on }))}
        />
        {hasFieldErrors && (
          <p className="form-summary" role="alert">
            Fix the fields marked above, then save again.
          </p>
        )}
        {formError && <ErrorBox error={formError} />}
        <SubmitActions
          submitText={host ? 'Save changes' : 'Save host'}
          busyText="Saving…"
          busy={save.isPending}
          onDismiss={onCancel}
        />
      </form>
    </Dialog>
  );
}
