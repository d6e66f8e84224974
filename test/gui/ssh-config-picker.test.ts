/**
 * "Add host" from the admin's ~/.ssh/config (HOME pointed at a temp dir for the shell, which reads
 * the config at each call): the picked alias, defined in an Included file, fills the form, and the
 * saved profile keeps it as its source.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useGui, type Gui } from './harness';

const realHome = process.env.HOME;
const home = mkdtempSync(join(tmpdir(), 'quiesce-gui-home-'));
mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
writeFileSync(join(home, '.ssh', 'config'), 'Include conf.d/*.conf\nHost *\n  User backup\n');
writeFileSync(
  join(home, '.ssh', 'conf.d', 'lab.conf'),
  [
    'Host kvm-behind',
    '  HostName kvm7.lab.example',
    '  Port 2200',
    '  IdentityFile ~/.ssh/id_lab',
    '  ProxyJump ops@bastion.example',
    '',
  ].join('\n'),
);
process.env.HOME = home;
afterAll(() => {
  process.env.HOME = realHome;
});

let gui: Gui;
useGui({
  setup: (g) => {
    gui = g;
  },
});

describe('Add host from ~/.ssh/config', () => {
  it('fills the form from a picked alias and saves the alias with the profile', async () => {
    const { page } = gui;
    await page.getByTestId('add-host').click();
    const form = page.getByTestId('host-form');
    await form.waitFor();
    const picker = form.getByTestId('ssh-config-picker');
    await expect
      .poll(() => picker.locator('option').allTextContents())
      .toEqual([
        'Type the host in below',
        'kvm-behind — backup@kvm7.lab.example:2200 via ops@bastion.example',
      ]);
    await picker.selectOption('kvm-behind');
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('kvm-behind');
    expect(await form.getByLabel('Address', { exact: true }).inputValue()).toBe('kvm7.lab.example');
    expect(await form.getByLabel('Port', { exact: true }).inputValue()).toBe('2200');
    expect(await form.getByLabel('User', { exact: true }).inputValue()).toBe('backup');
    expect(await form.getByLabel('Key file path', { exact: true }).inputValue()).toBe(
      join(home, '.ssh', 'id_lab'),
    );
    await expect.poll(() => form.textContent()).toContain('Connects as ssh would for kvm-behind');
    await gui.screenshot('add-host-from-ssh-config', { height: 1000 });

    await form.getByLabel('Name', { exact: true }).press('Enter');
    await form.waitFor({ state: 'detached' });
    await page.getByTestId('host-item-kvm-behind').waitFor();
    const saved = JSON.parse(readFileSync(join(gui.scratchDir, 'data', 'hosts.json'), 'utf8'));
    expect(JSON.stringify(saved)).toContain('"sshConfigAlias":"kvm-behind"');
    expect(gui.pageErrors).toEqual([]);
  });
});
