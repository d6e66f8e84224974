import type { HostProfile } from '../../shared/hosts';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { useRovingFocus } from '../ui/use-roving-focus';
import { ConnectionPill } from './connection-pill';
import { LegacyAlgorithmsBadge } from './legacy-algorithms';
import { useConnections } from './use-connections';
import { useHosts } from './use-hosts';
import './hosts.css';

/** The sidebar: saved hosts with their link state, and the way to add one. */
export function HostList({
  selectedId,
  onSelect,
  onAdd,
}: {
  selectedId: string | undefined;
  onSelect: (host: HostProfile) => void;
  onAdd: () => void;
}) {
  const hosts = useHosts();
  const connections = useConnections();
  // Up/Down move between hosts, Home/End to the ends: quicker than Tab through a long list.
  const items = useRovingFocus(
    (hosts.data ?? []).map((h) => h.id),
    'button.host-item',
    selectedId,
  );
  return (
    <nav className="sidebar" aria-label="Hosts">
      <div className="sidebar-head">
        <h2 className="sidebar-title">Hosts</h2>
        <button type="button" className="primary small" data-testid="add-host" onClick={onAdd}>
          Add host
        </button>
      </div>
      {hosts.isPending && <p className="muted sidebar-note">Loading hosts…</p>}
      {hosts.isError && <ErrorBox error={errorShape(hosts.error)} />}
      {hosts.data?.length === 0 && (
        <p className="muted sidebar-note">
          No hosts yet. Add the libvirt host you want to protect.
        </p>
      )}
      {hosts.data && hosts.data.length > 0 && (
        <ul className="host-items" onKeyDown={items.onKeyDown}>
          {hosts.data.map((host) => {
            const state = connections.data?.[host.id]?.state ?? 'disconnected';
            const selected = host.id === selectedId;
            return (
              <li key={host.id}>
                <button
                  type="button"
                  className="host-item"
                  data-testid={`host-item-${host.name}`}
                  aria-current={selected ? 'true' : undefined}
                  {...items.rowProps(host.id)}
                  onClick={() => onSelect(host)}
                >
                  <span className="host-item-name">{host.name}</span>
                  <span className="host-item-target">
                    {host.user}@{host.address}
                    {host.port === 22 ? '' : `:${host.port}`}
                    <LegacyAlgorithmsBadge host={host} testId={`host-legacy-${host.name}`} />
                  </span>
                  <ConnectionPill state={state} testId={`host-state-${host.name}`} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
