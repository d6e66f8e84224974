import { useState } from 'react';
import type { ExportEntry } from '../../shared/export';
import { useHosts } from '../hosts/use-hosts';
import { errorShape } from '../ui/error-shape';
import { ExportFormOutcome } from './export-form-outcome';
import { formatBytes } from './export-view';
import { useCopyExport } from './use-exports';

/**
 * "Copy…" of one export: off the host over its SSH connection (SFTP), to a folder on this
 * computer or on another host of the list (a backup box, its key checked like any host's; it
 * must be connected). The exports below an incremental come along when the target lacks them;
 * checksums are checked as the images stream, and the manifest comes last.
 */
export function ExportCopyForm({
  hostId,
  entry,
  onDone,
}: {
  hostId: string;
  entry: ExportEntry;
  onDone: () => void;
}) {
  const copy = useCopyExport();
  const hosts = useHosts();
  const others = (hosts.data ?? []).filter((h) => h.id !== hostId);
  const [where, setWhere] = useState<string>('workstation');
  const [folder, setFolder] = useState('');
  const busy = copy.isPending;
  const r = copy.data;
  return (
    <form
      className="stack export-copy"
      data-testid={`export-copy-form-${entry.exportId}`}
      onSubmit={(e) => {
        e.preventDefault();
        copy.mutate({
          hostId,
          uuid: entry.uuid,
          dest: entry.dest,
          exportId: entry.exportId,
          to:
            where === 'workstation'
              ? { kind: 'workstation', folder }
              : { kind: 'host', hostId: where, folder },
        });
      }}
    >
      <p className="inline-row">
        <label>
          Copy to{' '}
          <select
            value={where}
            onChange={(e) => setWhere(e.target.value)}
            data-testid="export-copy-where"
          >
            <option value="workstation">this computer</option>
            {others.map((h) => (
              <option key={h.id} value={h.id}>
                host {h.name}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          folder{' '}
          <input
            className="mono"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            data-testid="export-copy-folder"
            placeholder="/backups"
          />
        </label>{' '}
        <button type="submit" disabled={busy || folder === ''} data-testid="export-copy-start">
          {busy ? 'Copying…' : 'Copy'}
        </button>{' '}
        <button type="button" onClick={onDone}>
          Close
        </button>
      </p>
      <ExportFormOutcome
        done={
          r &&
          `Copied ${r.copied.length} export${r.copied.length === 1 ? '' : 's'} (${formatBytes(r.bytes)}) to ${r.to}, checksums checked.`
        }
        error={copy.error ? errorShape(copy.error) : undefined}
        testId="export-copy"
      />
    </form>
  );
}
