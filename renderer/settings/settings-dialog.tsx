import { useId, useState, type FormEvent } from 'react';
import { Checkbox } from '../ui/checkbox';
import { Dialog, SubmitActions } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { StatusLine } from '../ui/status-line';
import { MaxFreezeField } from '../snapshot/max-freeze-field';
import { PolicyChoice } from '../snapshot/policy-choice';
import { TextField } from '../ui/text-field';
import {
  draftFromSettings,
  validateSettingsDraft,
  type SettingsAnswer,
  type SettingsDraft,
  type SettingsErrors,
  type SettingsField,
} from './settings-draft';
import { useSaveSettings, useSettings } from './use-settings';

/** The app's settings in one dialog: where things are, snapshot defaults, notifications. */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const settings = useSettings();
  return (
    <Dialog title="Settings" onClose={onClose} testId="settings-dialog">
      {settings.isPending && <StatusLine busy>Reading the settings…</StatusLine>}
      {settings.isError && <ErrorBox error={errorShape(settings.error)} />}
      {settings.data && <SettingsForm answer={settings.data} onClose={onClose} />}
    </Dialog>
  );
}

function SettingsForm({ answer, onClose }: { answer: SettingsAnswer; onClose: () => void }) {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFromSettings(answer.settings));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const save = useSaveSettings();
  const uid = useId();

  const setText = (field: SettingsField) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };
  const text = (field: SettingsField, testId: string) => ({
    id: `${uid}-${field}`,
    value: draft[field],
    onChange: setText(field),
    error: errors[field],
    testId,
    errorTestId: `${testId}-error`,
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (save.isPending || answer.readOnly) return;
    const checked = validateSettingsDraft(draft);
    if ('errors' in checked) {
      setErrors(checked.errors);
      const first = (['dataDir', 'knownHostsPath', 'maxFreeze'] as const).find(
        (f) => checked.errors[f],
      );
      // The first field to fix gets the focus, as in the other forms.
      if (first) document.getElementById(`${uid}-${first}`)?.focus();
      return;
    }
    try {
      await save.mutateAsync(checked.input);
      onClose();
    } catch {
      /* shown below from save.error */
    }
  }

  return (
    <form className="settings-form stack" data-testid="settings-form" onSubmit={submit} noValidate>
      {answer.readOnly && (
        <ErrorBox
          error={{
            code: 'invalid-input',
            message: answer.readOnly,
            remedy: 'Change the settings in that Quiesce; this one shows them without saving.',
          }}
        />
      )}
      {answer.dropped.length > 0 && (
        <p className="form-summary" role="status" data-testid="settings-dropped">
          Some saved values could not be read and are back to their defaults:{' '}
          {answer.dropped.join(', ')}.
        </p>
      )}
      <TextField
        {...text('dataDir', 'settings-data-dir')}
        label="Data folder"
        placeholder="Quiesce’s own folder"
        hint={`Host profiles and remembered choices. Empty: Quiesce’s own folder. In use now: ${answer.inEffect.dataDir}. A change applies when Quiesce next starts.`}
        mono
      />
      <TextField
        {...text('knownHostsPath', 'settings-known-hosts')}
        label="known_hosts file"
        placeholder="~/.ssh/known_hosts"
        hint={`Host keys are checked against this file, as ssh does. Empty: ~/.ssh/known_hosts. In use now: ${answer.inEffect.knownHostsPath}. A change applies when Quiesce next starts.`}
        mono
      />
      <PolicyChoice
        legend="Default quiesce policy"
        name={`${uid}-policy`}
        value={draft.policy}
        onChange={(policy) => setDraft((d) => ({ ...d, policy }))}
        testIdPrefix="settings"
        explained={false}
      />
      <MaxFreezeField
        {...text('maxFreeze', 'settings-max-freeze')}
        label="Default maximum freeze"
        about="Where a domain has nothing remembered, its snapshot starts from this policy and this watchdog time."
      />
      <Checkbox
        checked={draft.operationEnd}
        testId="settings-notify-end"
        onChange={(operationEnd) => setDraft((d) => ({ ...d, operationEnd }))}
      >
        Notify me when a snapshot ends while Quiesce is in the background (desktop app)
      </Checkbox>
      <p className="muted small">
        Saved in <span className="mono">{answer.file}</span>
      </p>
      {Object.values(errors).some(Boolean) && (
        <p className="form-summary" role="alert">
          Fix the fields marked above; nothing was saved.
        </p>
      )}
      {save.isError && <ErrorBox error={errorShape(save.error)} />}
      <SubmitActions
        submitText="Save"
        busyText="Saving…"
        busy={save.isPending}
        disabled={answer.readOnly !== undefined}
        onDismiss={onClose}
        testId="settings-save"
      />
    </form>
  );
}
