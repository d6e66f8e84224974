import type { SshConfigHost } from '../../shared/hosts';
import { useCallQuery } from '../cache/use-call-query';

/** Where a picked alias goes: one hop list as ssh would take it, for the admin to recognise. */
function describe(h: SshConfigHost): string {
  const at = `${h.user}@${h.hostName}${h.port === 22 ? '' : `:${h.port}`}`;
  return h.jumps.length > 0 ? `${h.alias} — ${at} via ${h.jumps.join(', ')}` : `${h.alias} — ${at}`;
}

/**
 * "Add host" from the admin's ~/.ssh/config: its concrete Host aliases, resolved as ssh would, to
 * fill the form with. Shows nothing where the config names no host.
 */
export function SshConfigPicker({
  id,
  alias,
  onPick,
}: {
  id: string;
  /** The alias the form was filled from, '' for none. */
  alias: string;
  onPick: (picked: SshConfigHost) => void;
}) {
  const config = useCallQuery(['ssh-config'], 'hosts.sshConfig', {}, { staleTime: 0 });
  const hosts = config.data?.hosts ?? [];
  if (config.data?.problem) {
    return (
      <p className="field-hint" role="status">
        {config.data.path} could not be read: {config.data.problem}
      </p>
    );
  }
  if (hosts.length === 0) return null;
  return (
    <div className="field ssh-config-picker">
      <label htmlFor={id}>From {config.data?.path ?? '~/.ssh/config'}</label>
      <select
        id={id}
        data-testid="ssh-config-picker"
        value={alias}
        onChange={(e) => {
          const picked = hosts.find((h) => h.alias === e.target.value);
          if (picked) onPick(picked);
        }}
      >
        <option value="">Type the host in below</option>
        {hosts.map((h) => (
          <option key={h.alias} value={h.alias}>
            {describe(h)}
          </option>
        ))}
      </select>
      {alias && (
        <p className="field-hint">
          Connects as ssh would for {alias}: its ProxyJump hosts and IdentitiesOnly are read from
          the config at each connect.
        </p>
      )}
    </div>
  );
}
