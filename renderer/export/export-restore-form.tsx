import { useState } from 'react';
import type { ExportEntry } from '../../shared/export';
import { errorShape } from '../ui/error-shape';
import { ExportFormOutcome } from './export-form-outcome';
import { useRestoreExport } from './use-exports';

/**
 * "Restore…" of one export as a new domain (export.restore): the admin names it and the folder
 * on the host its images go to; it gets a new UUID and no network interface (one is added
 * afterwards, when the admin decides it may meet the original's network). Each disk's chain
 * becomes one standalone image; nothing already there is overwritten.
 */
export function ExportRestoreForm({
  hostId,
  entry,
  domain,
  onDone,
}: {
  hostId: string;
  entry: ExportEntry;
  domain: string;
  onDone: () => void;
}) {
  const restore = useRestoreExport(hostId);
  const [name, setName] = useState(`${domain}-restored`);
  const [folder, setFolder] = useState('');
  const [start, setStart] = useState(false);
  const busy = restore.isPending;
  const r = restore.data;
  return (
    <form
      className="stack export-restore"
      data-testid={`export-restore-form-${entry.exportId}`}
      onSubmit={(e) => {
        e.preventDefault();
        restore.mutate({
          hostId,
          uuid: entry.uuid,
          dest: entry.dest,
          exportId: entry.exportId,
          name,
          folder,
          start,
        });
      }}
    >
      <p className="small">
        A new domain from this export: a new name and UUID, each disk copied into one image in a
        folder on the host, and no network interface until you add one.
      </p>
      <p className="inline-row">
        <label>
          name{' '}
          <input
            className="mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="export-restore-name"
          />
        </label>{' '}
        <label>
          images in{' '}
          <input
            className="mono"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            data-testid="export-restore-folder"
            placeholder="/var/lib/libvirt/images"
          />
        </label>{' '}
        <label>
          <input
            type="checkbox"
            checked={start}
            onChange={(e) => setStart(e.target.checked)}
            data-testid="export-restore-start"
          />{' '}
          start it
        </label>{' '}
        <button
          type="submit"
          disabled={busy || name === '' || !folder.startsWith('/')}
          data-testid="export-restore-go"
        >
          {busy ? 'Restoring…' : 'Restore'}
        </button>{' '}
        <button type="button" onClick={onDone}>
          Close
        </button>
      </p>
      <ExportFormOutcome
        done={
          r &&
          `Defined ${r.name} (${r.uuid}) with ${r.disks.length} disk${r.disks.length === 1 ? '' : 's'} in ${folder}, no network interface${r.started ? '; started' : ''}.`
        }
        error={restore.error ? errorShape(restore.error) : undefined}
        testId="export-restore"
      />
    </form>
  );
}
