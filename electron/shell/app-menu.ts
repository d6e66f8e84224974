import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/events';

export interface MenuActions {
  /** Sends one of the app's own actions to the window that has the focus. */
  command: (command: MenuCommand) => void;
  about: () => void;
}

/**
 * The application menu: the platform's usual roles (edit, zoom, window, quit), and the app's own
 * actions with their shortcuts. An action is carried out by the renderer (renderer/app/
 * menu-commands.ts) for its selected host and domain, so the menu and the buttons do the same.
 */
export function appMenuTemplate(
  actions: MenuActions,
  opts: { mac: boolean; devTools: boolean },
): MenuItemConstructorOptions[] {
  const send = (command: MenuCommand) => () => actions.command(command);
  const about: MenuItemConstructorOptions = {
    label: 'About Quiesce',
    click: () => actions.about(),
  };
  const settings: MenuItemConstructorOptions = {
    label: 'Settings…',
    accelerator: 'CmdOrCtrl+,',
    click: send('settings'),
  };
  return [
    ...(opts.mac
      ? [
          {
            label: 'Quiesce',
            submenu: [
              about,
              { type: 'separator' },
              settings,
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    {
      label: '&File',
      submenu: [
        { label: 'Add Host…', accelerator: 'CmdOrCtrl+N', click: send('add-host') },
        ...(opts.mac ? [] : [settings]),
        { type: 'separator' },
        opts.mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { label: 'Refresh', accelerator: 'CmdOrCtrl+R', click: send('refresh') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(opts.devTools ? [{ role: 'toggleDevTools' } as const] : []),
      ],
    },
    {
      label: '&Domain',
      submenu: [
        {
          label: 'Consistent Snapshot…',
          accelerator: 'CmdOrCtrl+Shift+S',
          click: send('snapshot'),
        },
        { label: 'History…', accelerator: 'CmdOrCtrl+Shift+H', click: send('history') },
        { label: 'Agent Doctor…', accelerator: 'CmdOrCtrl+Shift+D', click: send('doctor') },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: opts.mac ? [] : [about] },
  ];
}
