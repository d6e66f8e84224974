import type { GuestFilesystem } from '../../shared/readiness';

/** The filesystems a freeze will hold, as the agent lists them, with what may surprise. */
export function FilesystemsTable({ filesystems }: { filesystems: readonly GuestFilesystem[] }) {
  return (
    <section className="doctor-remedy" data-testid="doctor-filesystems">
      <h4>Filesystems a freeze will cover</h4>
      {filesystems.length === 0 ? (
        <p className="notice-warning">
          The agent reports no freezable filesystem: a freeze would hold nothing, which is not a
          quiesce.
        </p>
      ) : (
        <table className="plain-table">
          <thead>
            <tr>
              <th scope="col">Mount point</th>
              <th scope="col">Device</th>
              <th scope="col">Type</th>
              <th scope="col">Virtual disks</th>
            </tr>
          </thead>
          <tbody>
            {filesystems.map((f) => (
              <tr key={`${f.mountpoint} ${f.name}`} data-mountpoint={f.mountpoint}>
                <td className="mono">{f.mountpoint}</td>
                <td className="mono">{f.name}</td>
                <td className="mono">{f.type}</td>
                <td className="mono">
                  {f.devices.join(', ') || '—'}
                  {f.warning && <p className="fs-warning">{f.warning}</p>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
