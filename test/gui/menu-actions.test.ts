/**
 * The Electron shell's application menu sends its actions as `menu` events (electron/shell/
 * app-menu.ts). Here the same events reach the page through the browser shell's socket
 * (injected by the test), against the real lab: the app shell adds a host, opens the settings
 * and refreshes; the selected domain row opens its snapshot dialog, its doctor and its history.
 * Nothing is changed on the lab: every dialog is closed unsent.
 */
import type { WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { MenuCommand } from '../../shared/events';
import { readLabProfile } from '../lab/lab';
import { connectLab, fetchedAt, labGuestNames, useGui, type Gui } from './harness';

let gui: Gui;
let agent: string;
let socket: WebSocketRoute | undefined;

useGui({
  setup: async (g) => {
    gui = g;
    // The page's socket goes through the test from now on, so the test can speak as main.
    await gui.page.routeWebSocket(/\/ws$/, (ws) => {
      socket = ws;
      ws.connectToServer();
    });
    await gui.page.reload();
    await gui.page.getByTestId('add-host').waitFor();
    const profile = readLabProfile();
    ({ agent } = labGuestNames(profile));
    await connectLab(gui.page, profile, { [agent]: 'ready' });
  },
});

function menu(command: MenuCommand): void {
  if (!socket) throw new Error('the page has no socket yet');
  socket.send(JSON.stringify({ event: { type: 'menu', command } }));
}

async function closeDialog(testId: string): Promise<void> {
  await gui.page.keyboard.press('Escape');
  await expect.poll(() => gui.page.getByTestId(testId).count()).toBe(0);
}

describe('menu actions in the page', () => {
  it('add host, settings and refresh are the app shell’s', async () => {
    const { page } = gui;
    menu('add-host');
    await page.getByTestId('host-form').waitFor();
    await closeDialog('host-form');

    menu('settings');
    await page.getByTestId('settings-form').waitFor();
    await closeDialog('settings-dialog');

    const before = await fetchedAt(page);
    menu('refresh');
    await page.locator(`[data-testid="last-updated"]:not([data-fetched-at="${before}"])`).waitFor({
      timeout: 60_000,
    });
  });

  it('snapshot, doctor and history act on the selected domain', async () => {
    const { page } = gui;
    // Selecting a row is moving the focus to it (the table's one Tab stop).
    await page.getByTestId(`domain-row-${agent}`).focus();

    menu('snapshot');
    const snapshot = page.getByTestId('snapshot-dialog');
    await snapshot.waitFor();
    expect(await snapshot.innerText()).toContain(agent);
    await closeDialog('snapshot-dialog');

    menu('doctor');
    const doctor = page.getByTestId('doctor');
    await doctor.waitFor();
    expect(await doctor.innerText()).toContain(agent);
    await page.getByTestId('doctor-close').click();
    await expect.poll(() => doctor.count()).toBe(0);

    menu('history');
    const history = page.getByTestId('history-dialog');
    await history.waitFor();
    expect(await history.innerText()).toContain(agent);
    await closeDialog('history-dialog');
    await gui.screenshot('menu-actions-after');
  });
});
