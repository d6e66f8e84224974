import { afterAll, describe, expect, it } from 'vitest';
import { startOwnSshd, OWN_SSHD_ADDRESS, type OwnSshd } from '../host/own-sshd';
import { addHost, startGui, waitForConnectionState, type Gui } from './harness';

/**
 * A host whose sshd offers only ssh-rsa (SHA-1) host-key signatures: the connect error says so
 * and names the switch; the switch shows its risk; a host with it on is marked in the list and
 * the pane, and connects. The sshd is the test's own (test/host/own-sshd.ts), not the lab's.
 */
let sshd: OwnSshd | undefined;
let gui: Gui | undefined;
afterAll(async () => {
  await gui?.close();
  await sshd?.stop();
});

describe('legacy SSH algorithms, per host', () => {
  it('refuses an ssh-rsa-only host with the way to allow it, and connects once allowed', async () => {
    sshd = await startOwnSshd({
      hostKeyTypes: ['rsa'],
      extraConfig: ['HostKeyAlgorithms ssh-rsa'],
    });
    gui = await startGui({
      knownHosts: `[${OWN_SSHD_ADDRESS}]:${sshd.port} ${sshd.hostKeys.rsa!.line}\n`,
    });
    const { page } = gui;
    await addHost(page, {
      name: 'old-box',
      address: OWN_SSHD_ADDRESS,
      port: sshd.port,
      user: sshd.user,
      keyPath: sshd.clientKey,
      libvirtUri: 'test:///default',
    });
    expect(await page.getByTestId('host-legacy-old-box').count()).toBe(0);

    await page.getByTestId('connect').click();
    const error = page.getByTestId('error-box');
    await error.waitFor();
    const text = await error.innerText();
    expect(text).toContain('offers only legacy SSH host key algorithms (ssh-rsa)');
    expect(text).toContain('Allow legacy SSH algorithms');
    await gui.screenshot('legacy-algorithms-refused');

    await page.getByTestId('edit-host').click();
    const form = page.getByTestId('host-form');
    await form.waitFor();
    const toggle = form.getByTestId('host-allow-legacy');
    expect(await toggle.isChecked()).toBe(false);
    await form.getByLabel('Allow legacy SSH algorithms').check();
    const hint = await form.getByTestId('host-allow-legacy-hint').innerText();
    expect(hint).toMatch(/SHA-1 host-key signatures \(ssh-rsa\)/);
    expect(hint).toMatch(/man in the middle/);
    await gui.screenshot('legacy-algorithms-form');
    await form.getByLabel('Name', { exact: true }).press('Enter');
    await form.waitFor({ state: 'detached' });

    expect(await page.getByTestId('host-legacy-old-box').innerText()).toBe('legacy SSH');
    expect(await page.getByTestId('host-pane-legacy').count()).toBe(1);
    await page.getByTestId('connect').click();
    await waitForConnectionState(page, 'connected');
    await gui.screenshot('legacy-algorithms-connected');
    expect(gui.pageErrors).toEqual([]);
  });
});
