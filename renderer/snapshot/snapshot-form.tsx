import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { SubmitActions } from '../ui/dialog';
import type { AppErrorShape } from '../../shared/errors';
import type { InventoryDomain } from '../../shared/readiness';
import type { QuiescePolicy } from '../../shared/snapshot';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { Field, TextField } from '../ui/text-field';
import { Checkbox } from '../ui/checkbox';
import { MaxFreezeField } from './max-freeze-field';
import { PolicyChoice } from './policy-choice';
import { readinessNote } from './readiness-note';
import {
  checkpointOffered,
  defaultSnapshotName,
  fieldErrorsFromRemote,
  validateSnapshot,
  type SnapshotField,
  type SnapshotFieldErrors,
  type SnapshotFields,
} from './snapshot-draft';
import { useStartSnapshot } from './use-snapshot';

/** The fields checked before sending, in the order the focus visits them. */
const CHECKED_FIELDS: readonly SnapshotField[] = ['name', 'description', 'maxFreeze'];

/**
 * The snapshot's settings: name, description, quiesce policy, maximum freeze, and whether to
 * remember the last two for this domain, under a note on what the domain's readiness means for
 * this run. Enter in a field (not the description) takes the snapshot; Ctrl+Enter does from
 * anywhere; Escape cancels (the dialog).
 */
export function SnapshotForm({
  hostId,
  domain,
  initial,
  onStarted,
  onCancel,
}: {
  hostId: string;
  domain: Pick<InventoryDomain, 'uuid' | 'name' | 'readiness'>;
  initial: { policy: QuiescePolicy; maxFreezeS: number; remembered: boolean; testRestore: boolean };
  onStarted: (opId: string) => void;
  onCancel: () => void;
}) {
  const [fields, setFields] = useState<SnapshotFields>(() => ({
    name: defaultSnapshotName(new Date()),
    description: '',
    policy: initial.policy,
    maxFreeze: String(initial.maxFreezeS),
    remember: initial.remembered,
    testRestore: initial.testRestore,
    memory: checkpointOffered(domain.readiness.level),
  }));
  const [errors, setErrors] = useState<SnapshotFieldErrors>({});
  const [formError, setFormError] = useState<AppErrorShape | null>(null);
  const start = useStartSnapshot(hostId);
  const uid = useId();
  const id = (field: string) => `${uid}-${field}`;
  const nameRef = useRef<HTMLInputElement>(null);
  const descriptionRef = useRef<HTMLTextAreaElement>(null);
  const maxFreezeRef = useRef<HTMLInputElement>(null);
  const note = readinessNote(domain.readiness.level, fields.policy);

  // The generated name is selected, so typing replaces it and Enter keeps it.
  useEffect(() => {
    nameRef.current?.focus();
    nameRef.current?.select();
  }, []);

  function set<K extends keyof SnapshotFields>(field: K, value: SnapshotFields[K]) {
    setFields((f) => ({ ...f, [field]: value }));
    if (CHECKED_FIELDS.includes(field as SnapshotField)) {
      setErrors((e) => ({ ...e, [field]: undefined }));
    }
  }

  function showErrors(found: SnapshotFieldErrors) {
    setErrors(found);
    const first = CHECKED_FIELDS.find((f) => found[f]);
    const refs = { name: nameRef, description: descriptionRef, maxFreeze: maxFreezeRef };
    if (first) refs[first].current?.focus();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (start.isPending) return;
    setFormError(null);
    const checked = validateSnapshot(fields, { hostId, uuid: domain.uuid });
    if ('errors' in checked) {
      showErrors(checked.errors);
      return;
    }
    try {
      const { opId } = await start.mutateAsync(checked.input);
      onStarted(opId);
    } catch (err) {
      const shape = errorShape(err);
      const found = fieldErrorsFromRemote(shape);
      if (found) showErrors(found);
      else setFormError(shape);
    }
  }

  /** Enter on a radio or the checkbox submits too; Ctrl+Enter submits even from the description. */
  function onKeyDown(e: KeyboardEvent<HTMLFormElement>) {
    if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
    const target = e.target as HTMLElement;
    const toggle =
      target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox');
    if (toggle || ((e.ctrlKey || e.metaKey) && target.tagName === 'TEXTAREA')) {
      e.preventDefault();
      e.currentTarget.requestSubmit();
    }
  }

  /** What each checked field takes from its name: id, error, the error's test id. */
  const field = (name: SnapshotField) => ({
    id: id(name),
    error: errors[name],
    errorTestId: `snapshot-${name}-error`,
  });
  /** A text field's too: value, change and test id. */
  const textField = (name: 'name' | 'maxFreeze', testId: string) => ({
    ...field(name),
    value: fields[name],
    onChange: (value: string) => set(name, value),
    testId,
  });

  return (
    <form
      className="snapshot-form"
      data-testid="snapshot-form"
      onSubmit={submit}
      onKeyDown={onKeyDown}
      noValidate
    >
      <p
        className={`readiness-note tone-${note.tone}`}
        data-testid="snapshot-readiness-note"
        data-tone={note.tone}
        data-level={domain.readiness.level}
      >
        {note.text}
      </p>

      <TextField
        {...textField('name', 'snapshot-name')}
        label="Name"
        hint="Up to 64 letters, digits, “.”, “_” or “-”; it also names the overlay files."
        mono
        maxLength={200}
        inputRef={nameRef}
      />

      <Field
        {...field('description')}
        label={
          <>
            Description <span className="muted small">(optional)</span>
          </>
        }
        hint="Stored with the snapshot in libvirt exactly as typed."
      >
        {(control) => (
          <textarea
            {...control}
            ref={descriptionRef}
            rows={3}
            value={fields.description}
            data-testid="snapshot-description"
            onChange={(e) => set('description', e.target.value)}
          />
        )}
      </Field>

      <PolicyChoice
        legend="Quiesce policy"
        name={id('policy')}
        value={fields.policy}
        onChange={(policy) => set('policy', policy)}
        testIdPrefix="snapshot"
        explained
      />

      <MaxFreezeField
        {...textField('maxFreeze', 'snapshot-max-freeze')}
        label="Maximum freeze"
        className="field-max-freeze"
        about="A watchdog on the host thaws the guest after this long, whatever happens."
        inputRef={maxFreezeRef}
      />

      {checkpointOffered(domain.readiness.level) && (
        <Checkbox
          checked={fields.memory ?? false}
          testId="snapshot-memory"
          onChange={(memory) => set('memory', memory)}
        >
          Full checkpoint: save the paused guest’s memory with its disks, so a revert resumes it
          exactly where it is (without it, this snapshot is crash-consistent)
        </Checkbox>
      )}

      <Checkbox
        checked={fields.testRestore ?? false}
        testId="snapshot-test-restore"
        onChange={(testRestore) => set('testRestore', testRestore)}
      >
        Test restore after each snapshot: once this one is taken, a disposable clone of it boots on
        the host and its result shows in the history
      </Checkbox>

      <Checkbox
        checked={fields.remember}
        testId="snapshot-remember"
        onChange={(remember) => set('remember', remember)}
      >
        Remember the policy, maximum freeze and restore-test choice for this domain
        {initial.remembered && <span className="muted small"> (remembered now)</span>}
      </Checkbox>

      {Object.values(errors).some(Boolean) && (
        <p className="form-summary" role="alert">
          Fix the fields marked above; nothing was sent.
        </p>
      )}
      {formError && <ErrorBox error={formError} testId="snapshot-start-error" />}

      <SubmitActions
        submitText="Take snapshot"
        busyText="Starting…"
        busy={start.isPending}
        onDismiss={onCancel}
        testId="snapshot-submit"
      >
        <span className="muted small keys-note">
          <kbd>Enter</kbd> takes the snapshot · <kbd>Esc</kbd> cancels
        </span>
      </SubmitActions>
    </form>
  );
}
