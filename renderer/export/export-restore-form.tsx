import { useState } from 'react';
import { Checkbox } from '../ui/checkbox';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { Radio } from '../ui/radio';
import {
  ExportEntryForm,
  InlineTextField,
  type ExportAddress,
  type ExportEntryFormProps,
} from './export-entry-form';
import { ExportRestoreOriginalDialog, STOP_TIMEOUT_S } from './export-restore-original-dialog';
import { useRestoreProgress } from './restore-progress';
import { RestoreProgressList } from './restore-progress-list';
import { useFollowRestore } from './restore-runs';
import { useRestoreCancel, useRestoreExport } from './use-exports';
import { useRestoreOriginal } from './use-restore-original';

/**
 * "Restore…" of one export, as a new domain (export.restore) or over the domain it was taken of
 * (export.restoreOriginal). As a new domain: the admin names it and the folder on the host its
 * images go to; it gets a new UUID and no network interface (one is added afterwards, when the
 * admin decides it may meet the original's network). Over the original: only the folder; the
 * confirmation (ExportRestoreOriginalDialog) says what stops, what is replaced and what is kept
 * before anything changes. Either way each disk's chain becomes one standalone image and nothing
 * already there is overwritten, and Cancel while the disks are copied stops it with nothing left
 * (export.restoreCancel, by the restore id given to the call); once copied it completes.
 */
export function ExportRestoreForm({ domain, ...props }: ExportEntryFormProps & { domain: string }) {
  const restore = useRestoreExport(props.hostId);
  const over = useRestoreOriginal(props.hostId);
  // each disk's copy while either restore runs (restore-progress events, read only while open)
  const copy = useRestoreProgress(props.hostId, props.entry.uuid, props.entry.exportId);
  const [target, setTarget] = useState<'new' | 'original'>('new');
  const [name, setName] = useState(`${domain}-restored`);
  const [folder, setFolder] = useState('');
  const [start, setStart] = useState(false);
  const [confirming, setConfirming] = useState<ExportAddress>();
  // the running restore's id, for its cancel; a new one for each restore
  const [restoreId, setRestoreId] = useState('');
  const cancel = useRestoreCancel();
  // while this form's call waits, the panel's Restores list leaves the restore to it; should the
  // call be lost (the link dropped), the list shows it again, from the host's journal
  const followed = useFollowRestore(props.hostId, props.entry.uuid);
  const begin = () => {
    const id = crypto.randomUUID();
    setRestoreId(id);
    copy.reset();
    cancel.reset();
    followed.follow(id);
    return id;
  };
  const cancelRestore = () => cancel.mutate({ hostId: props.hostId, restoreId });
  const r = restore.data;
  const o = over.data;
  const radioName = `export-restore-target-${props.entry.exportId}`;
  return (
    <>
      <ExportEntryForm
        {...props}
        action="restore"
        intro={
          <>
            <p className="inline-row" role="radiogroup" aria-label="restore as">
              <Radio
                name={radioName}
                checked={target === 'new'}
                onChange={() => setTarget('new')}
                testId="export-restore-as-new"
              >
                as a new domain
              </Radio>{' '}
              <Radio
                name={radioName}
                checked={target === 'original'}
                onChange={() => setTarget('original')}
                testId="export-restore-as-original"
              >
                over {domain}
              </Radio>
            </p>
            <p className="small">
              {target === 'new'
                ? 'A new domain from this export: a new name and UUID, each disk copied into one image in a folder on the host, and no network interface until you add one.'
                : `${domain} itself goes back to this export: each disk copied into a new image in a folder on the host, the guest shut down and its disks switched to them, started again if it runs now. Its images now are kept. You confirm after seeing exactly what changes.`}
            </p>
          </>
        }
        call={target === 'new' ? restore : over}
        ready={folder.startsWith('/') && (target === 'original' || name !== '')}
        onSubmit={(at) => {
          if (target === 'original') return setConfirming(at);
          const id = begin();
          restore.mutate(
            { ...at, name, folder, start, restoreId: id },
            { onSettled: () => followed.done(id) },
          );
        }}
        submitText={target === 'new' ? 'Restore' : `Restore over ${domain}…`}
        busyText="Restoring…"
        submitTestId="export-restore-go"
        done={
          target === 'new'
            ? r &&
              (r.cancelled
                ? `Cancelled during the copy: no image was left in ${folder} and no domain defined.`
                : `Defined ${r.name} (${r.uuid}) with ${r.disks.length} disk${r.disks.length === 1 ? '' : 's'} in ${folder}, no network interface${r.started ? '; started' : ''}.`)
            : o?.cancelled
              ? `Cancelled during the copy: ${domain} is as it was (its definition and disks untouched), no new image left.`
              : o?.applied
                ? `${domain} now runs on ${o.applied.disks.map((d) => d.image).join(', ')}${o.applied.started ? ' (started again)' : ''}; its old images are kept: ${o.applied.disks.map((d) => d.kept).join(', ')}.`
                : undefined
        }
      >
        {target === 'new' && (
          <InlineTextField
            label="name"
            value={name}
            onChange={setName}
            testId="export-restore-name"
          />
        )}
        <InlineTextField
          label="images in"
          value={folder}
          onChange={setFolder}
          testId="export-restore-folder"
          placeholder="/var/lib/libvirt/images"
        />
        {target === 'new' && (
          <Checkbox checked={start} onChange={setStart} testId="export-restore-start">
            start it
          </Checkbox>
        )}
      </ExportEntryForm>
      {target === 'new' && restore.isPending && (
        <>
          <RestoreProgressList progress={copy.progress} />
          <p className="inline-row">
            <button
              type="button"
              data-testid="export-restore-cancel"
              disabled={cancel.isPending || cancel.isSuccess}
              onClick={cancelRestore}
            >
              {cancel.isSuccess ? 'Cancelling…' : 'Cancel the restore'}
            </button>
          </p>
        </>
      )}
      {target === 'new' && cancel.error ? (
        <ErrorBox error={errorShape(cancel.error)} testId="export-restore-cancel-error" />
      ) : null}
      {confirming && (
        <ExportRestoreOriginalDialog
          at={confirming}
          folder={folder}
          domain={domain}
          apply={{
            isPending: over.isPending,
            error: over.error,
            progress: copy.progress,
            cancel: { asked: cancel.isPending || cancel.isSuccess, error: cancel.error },
            run: ({ allowForce, stamp }) => {
              const id = begin();
              over.mutate(
                {
                  ...confirming,
                  folder,
                  allowForce,
                  stamp,
                  stopTimeoutS: STOP_TIMEOUT_S,
                  apply: true,
                  restoreId: id,
                },
                {
                  onSuccess: () => setConfirming(undefined),
                  onSettled: () => followed.done(id),
                },
              );
            },
          }}
          onCancel={() => {
            // while it runs, Cancel cancels it (honoured while it copies): the dialog stays
            // until the call answers, and closes on its outcome
            if (over.isPending) return cancelRestore();
            over.reset();
            setConfirming(undefined);
          }}
        />
      )}
    </>
  );
}
