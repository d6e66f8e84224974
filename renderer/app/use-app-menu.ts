import { useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../cache/query-keys';
import { useMenuCommand } from '../menu/menu-commands';

/**
 * The menu actions the app shell carries out itself: add a host, open the settings, and
 * refresh — the host list, the links, and the selected host's domains and operations.
 */
export function useAppMenu(opts: {
  selectedHostId: string | undefined;
  addHost: () => void;
  openSettings: () => void;
}): void {
  const client = useQueryClient();
  useMenuCommand('add-host', opts.addHost);
  useMenuCommand('settings', opts.openSettings);
  useMenuCommand('refresh', () => {
    void client.invalidateQueries({ queryKey: queryKeys.hosts });
    void client.invalidateQueries({ queryKey: queryKeys.connections });
    const hostId = opts.selectedHostId;
    if (!hostId) return;
    void client.invalidateQueries({ queryKey: queryKeys.domains(hostId) });
    void client.invalidateQueries({ queryKey: queryKeys.operations(hostId) });
  });
}
