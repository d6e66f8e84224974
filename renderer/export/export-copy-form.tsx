import { useState } from 'react';
import { useHosts } from '../hosts/use-hosts';
import { ExportEntryForm, InlineTextField, type ExportEntryFormProps } from './export-entry-form';
import { formatBytes } from './export-view';
import { useCopyExport } from './use-exports';

/**
 * "Copy…" of one export: off the host over its SSH connection (SFTP), to a folder on this
 * computer or on another host of the list (a backup box, its key checked like any host's; it
 * must be connected). The exports below an incremental come along when the target lacks them;
 * checksums are checked as the images stream, and the manifest comes last.
 */
export function ExportCopyForm(props: ExportEntryFormProps) {
  const { hostId } = props;
  const copy = useCopyExport();
  const hosts = useHosts();
  const others = (hosts.data ?? []).filter((h) => h.id !== hostId);
  const [where, setWhere] = useState<string>('workstation');
  const [folder, setFolder] = useState('');
  const r = copy.data;
  return (
    <ExportEntryForm
      {...props}
      action="copy"
      call={copy}
      ready={folder !== ''}
      onSubmit={(at) =>
        copy.mutate({
          ...at,
          to:
            where === 'workstation'
              ? { kind: 'workstation', folder }
              : { kind: 'host', hostId: where, folder },
        })
      }
      submitText="Copy"
      busyText="Copying…"
      submitTestId="export-copy-start"
      done={
        r &&
        `Copied ${r.copied.length} export${r.copied.length === 1 ? '' : 's'} (${formatBytes(r.bytes)}) to ${r.to}, checksums checked.`
      }
    >
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
      <InlineTextField
        label="folder"
        value={folder}
        onChange={setFolder}
        testId="export-copy-folder"
        placeholder="/backups"
      />
    </ExportEntryForm>
  );
}
