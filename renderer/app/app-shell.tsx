import { lazy, Suspense, useState } from 'react';
import type { HostProfile } from '../../shared/hosts';
import { HostList } from '../hosts/host-list';
import { HostPane } from '../hosts/host-pane';
import { RemoveHostDialog } from '../hosts/remove-host-dialog';
import { useHosts } from '../hosts/use-hosts';
import { ThemeSwitch } from '../theme/theme-switch';
import { useEventHub } from './event-hub';
import { useAppMenu } from './use-app-menu';

// Opened now and then: loaded then, not with the first screen.
const HostForm = lazy(() => import('../hosts/host-form').then((m) => ({ default: m.HostForm })));
const SettingsDialog = lazy(() =>
  import('../settings/settings-dialog').then((m) => ({ default: m.SettingsDialog })),
);

/** Header, host sidebar, and the selected host's pane. */
export function AppShell() {
  useEventHub();
  const hosts = useHosts();
  const [selectedId, setSelectedId] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<HostProfile>();
  const [settingsOpen, setSettingsOpen] = useState(false);

  // A removed or not-yet-chosen selection falls back to the first host, so the pane is never
  // blank while there are hosts.
  const list = hosts.data ?? [];
  const selected = list.find((h) => h.id === selectedId) ?? list[0];
  // Each reached from the menu and from a button here: one action for both.
  const addHost = () => setAdding(true);
  const openSettings = () => setSettingsOpen(true);
  useAppMenu({ selectedHostId: selected?.id, addHost, openSettings });

  return (
    <div className="app">
      <header className="app-header">
        <span className="app-mark" aria-hidden="true" />
        <h1 className="app-name">Quiesce</h1>
        <span className="app-tagline">consistent snapshots of libvirt guests</span>
        <ThemeSwitch />
        <button
          type="button"
          className="app-settings small"
          data-testid="open-settings"
          onClick={openSettings}
        >
          Settings
        </button>
      </header>
      <div className="app-body">
        <HostList selectedId={selected?.id} onSelect={(h) => setSelectedId(h.id)} onAdd={addHost} />
        <main className="main-pane">
          {selected ? (
            <HostPane key={selected.id} host={selected} onRemove={() => setRemoving(selected)} />
          ) : (
            hosts.isSuccess && (
              <div className="welcome">
                <h2>Add your first host</h2>
                <p>
                  Quiesce connects to a libvirt/KVM host over SSH, checks its host key against
                  known_hosts, and lists its guests.
                </p>
                <button type="button" className="primary" onClick={addHost}>
                  Add host
                </button>
              </div>
            )
          )}
        </main>
      </div>
      <Suspense fallback={null}>
        {adding && (
          <HostForm
            onSaved={(saved) => {
              setAdding(false);
              setSelectedId(saved.id);
            }}
            onCancel={() => setAdding(false)}
          />
        )}
        {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
      </Suspense>
      {removing && <RemoveHostDialog host={removing} onClose={() => setRemoving(undefined)} />}
    </div>
  );
}
