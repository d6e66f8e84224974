import type { KeyboardEvent } from 'react';
import type { HostProfile } from '../../shared/hosts';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { ConnectionPill } from './connection-pill';
import { useConnections } from './use-connections';
import { useHosts } from './use-hosts';

/** Up/Down move between hosts, Home/End jump to the ends: quicker than Tab through a long list. */
function moveFocus(e: KeyboardEvent<HTMLUListElement>) {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(e.key)) return;
  const items = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button.host-item')];
  const at = items.indexOf(document.activeElement as HTMLButtonElement);
  const next =
    e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? items.length - 1
        : Math.min(items.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)));
  items[next]?.focus();
  e.preventDefault();
}

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
        <ul className="host-items" onKeyDown={moveFocus}>
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
                  onClick={() => onSelect(host)}
                >
                  <span className="host-item-name">{host.name}</span>
                  <span className="host-item-target">
                    {host.user}@{host.address}
                    {host.port === 22 ? '' : `:${host.port}`}
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
