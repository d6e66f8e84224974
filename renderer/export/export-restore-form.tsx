import { useState } from 'react';
import { Checkbox } from '../ui/checkbox';
import { ExportEntryForm, InlineTextField, type ExportEntryFormProps } from './export-entry-form';
import { useRestoreExport } from './use-exports';

/**
 * "Restore…" of one export as a new domain (export.restore): the admin names it and the folder
 * on the host its images go to; it gets a new UUID and no network interface (one is added
 * afterwards, when the admin decides it may meet the original's network). Each disk's chain
 * becomes one standalone image; nothing already there is overwritten.
 */
export function ExportRestoreForm({ domain, ...props }: ExportEntryFormProps & { domain: string }) {
  const restore = useRestoreExport(props.hostId);
  const [name, setName] = useState(`${domain}-restored`);
  const [folder, setFolder] = useState('');
  const [start, setStart] = useState(false);
  const r = restore.data;
  return (
    <ExportEntryForm
      {...props}
      action="restore"
      intro={
        <p className="small">
          A new domain from this export: a new name and UUID, each disk copied into one image in a
          folder on the host, and no network interface until you add one.
        </p>
      }
      call={restore}
      ready={name !== '' && folder.startsWith('/')}
      onSubmit={(at) => restore.mutate({ ...at, name, folder, start })}
      submitText="Restore"
      busyText="Restoring…"
      submitTestId="export-restore-go"
      done={
        r &&
        `Defined ${r.name} (${r.uuid}) with ${r.disks.length} disk${r.disks.length === 1 ? '' : 's'} in ${folder}, no network interface${r.started ? '; started' : ''}.`
      }
    >
      <InlineTextField label="name" value={name} onChange={setName} testId="export-restore-name" />
      <InlineTextField
        label="images in"
        value={folder}
        onChange={setFolder}
        testId="export-restore-folder"
        placeholder="/var/lib/libvirt/images"
      />
      <Checkbox checked={start} onChange={setStart} testId="export-restore-start">
        start it
      </Checkbox>
    </ExportEntryForm>
  );
}
