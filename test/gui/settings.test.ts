/**
 * The Settings dialog through the browser shell: what it shows, how it refuses a bad value, what
 * it writes, and how it shows a file an older or a newer Quiesce wrote. No host is needed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGui, type Gui } from './harness';

let gui: Gui;
useGui({
  perTest: true,
  setup: (g) => {
    gui = g;
  },
});

const dataDir = () => join(gui.scratchDir, 'data');
const settingsFile = () => join(dataDir(), 'settings.json');

async function openSettings() {
  await gui.page.getByTestId('open-settings').click();
  const form = gui.page.getByTestId('settings-form');
  await form.waitFor();
  return form;
}

describe('settings dialog', () => {
  it('shows the defaults and the folders in use, and refuses bad values next to their fields', async () => {
    const { page } = gui;
    const form = await openSettings();
    expect(await page.getByTestId('settings-policy-require').isChecked()).toBe(true);
    expect(await page.getByTestId('settings-max-freeze').inputValue()).toBe('10');
    expect(await page.getByTestId('settings-notify-end').isChecked()).toBe(true);
    expect(await page.getByTestId('settings-data-dir').inputValue()).toBe('');
    const text = await form.innerText();
    expect(text).toContain(`In use now: ${dataDir()}`);
    expect(text).toContain(`In use now: ${gui.knownHostsPath}`);
    expect(text).toContain(settingsFile());
    await gui.screenshot('settings-defaults', { height: 1000 });

    await page.getByTestId('settings-data-dir').fill('relative/folder');
    await page.getByTestId('settings-max-freeze').fill('0');
    await page.getByTestId('settings-save').click();
    expect(await page.getByTestId('settings-data-dir-error').innerText()).toContain('full path');
    expect(await page.getByTestId('settings-max-freeze-error').innerText()).toContain('1 to 120');
    // The first field to fix has the focus, and nothing reached main.
    await expect
      .poll(() =>
        page.getByTestId('settings-data-dir').evaluate((el) => el === document.activeElement),
      )
      .toBe(true);
    expect(gui.calls).not.toContain('settings.set');
    expect(existsSync(settingsFile())).toBe(false);
    await gui.screenshot('settings-errors', { height: 1000 });

    // Escape leaves without saving.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0);
    expect(existsSync(settingsFile())).toBe(false);
    expect(gui.pageErrors).toEqual([]);
  });

  it('saves every setting, with the version, and shows them when opened again', async () => {
    const { page } = gui;
    await openSettings();
    await page.getByTestId('settings-policy-allow').check();
    await page.getByTestId('settings-max-freeze').fill('30');
    await page.getByTestId('settings-known-hosts').fill('/etc/ssh/ssh_known_hosts');
    await page.getByTestId('settings-data-dir').fill('/srv/quiesce-data');
    await page.getByTestId('settings-notify-end').uncheck();
    await page.getByTestId('settings-save').click();
    await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0);

    expect(JSON.parse(readFileSync(settingsFile(), 'utf8'))).toEqual({
      version: 2,
      dataDir: '/srv/quiesce-data',
      knownHostsPath: '/etc/ssh/ssh_known_hosts',
      snapshot: { policy: 'allow-crash-consistent', maxFreezeS: 30 },
      notifications: { operationEnd: false },
    });

    const form = await openSettings();
    expect(await page.getByTestId('settings-policy-allow').isChecked()).toBe(true);
    expect(await page.getByTestId('settings-max-freeze').inputValue()).toBe('30');
    expect(await page.getByTestId('settings-known-hosts').inputValue()).toBe(
      '/etc/ssh/ssh_known_hosts',
    );
    expect(await page.getByTestId('settings-notify-end').isChecked()).toBe(false);
    // This run keeps the folders it started with; the dialog says which.
    expect(await form.innerText()).toContain(`In use now: ${gui.knownHostsPath}`);
    await gui.screenshot('settings-saved', { height: 1000 });
    expect(gui.pageErrors).toEqual([]);
  });

  it('shows an older file carried forward, naming a value it could not keep', async () => {
    const { page } = gui;
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(
      settingsFile(),
      JSON.stringify({
        version: 1,
        policy: 'allow-crash-consistent',
        maxFreezeS: 500,
        notifications: false,
      }),
    );
    await openSettings();
    expect(await page.getByTestId('settings-policy-allow').isChecked()).toBe(true);
    expect(await page.getByTestId('settings-max-freeze').inputValue()).toBe('10');
    expect(await page.getByTestId('settings-notify-end').isChecked()).toBe(false);
    expect(await page.getByTestId('settings-dropped').innerText()).toContain(
      'default maximum freeze',
    );
    await page.getByTestId('settings-save').click();
    await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0);
    expect(JSON.parse(readFileSync(settingsFile(), 'utf8'))).toMatchObject({
      version: 2,
      snapshot: { policy: 'allow-crash-consistent', maxFreezeS: 10 },
      notifications: { operationEnd: false },
    });
  });

  it('does not write over a newer Quiesce’s file, and says so', async () => {
    const { page } = gui;
    mkdirSync(dataDir(), { recursive: true });
    const newer = JSON.stringify({ version: 7, snapshot: { policy: 'require', maxFreezeS: 20 } });
    writeFileSync(settingsFile(), newer);
    const form = await openSettings();
    expect(await page.getByTestId('settings-max-freeze').inputValue()).toBe('20');
    expect(await form.innerText()).toContain('newer Quiesce');
    expect(await page.getByTestId('settings-save').isDisabled()).toBe(true);
    await gui.screenshot('settings-newer-file', { height: 1000 });
    expect(readFileSync(settingsFile(), 'utf8')).toBe(newer);
  });
});
