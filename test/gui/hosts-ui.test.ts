/**
 * The host screens with no lab behind them: the form (keyboard, field errors), and the connect
 * flow's error and passphrase paths, which fail before or at the TCP connect.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addHost, selectHost, useGui, waitForConnectionState, type Gui } from './harness';

/** A loopback port with nothing listening on it (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** A fresh GUI for every test: each one starts from no host and sets up what it needs. */
let gui: Gui;
useGui({
  perTest: true,
  setup: (g) => {
    gui = g;
  },
});

/** A host for the selection to fall back to (the one the keyboard test types in). */
const KVM01 = { name: 'kvm-01', address: 'kvm01.example.net', user: 'backup' };

/** A host on a dead port whose key file is encrypted with `correct horse`. */
async function addLockedKeyHost(): Promise<string> {
  const key = join(gui.scratchDir, 'encrypted_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', key]);
  const port = await deadPort();
  await addHost(gui.page, {
    name: 'locked-key',
    address: '127.0.0.1',
    port,
    user: 'nobody',
    keyPath: key,
  });
  await selectHost(gui.page, 'locked-key');
  return key;
}

describe('host form', () => {
  it('opens with the focus on the name, shows field errors, and Escape cancels', async () => {
    const { page } = gui;
    await expect.poll(() => page.locator('.welcome').isVisible()).toBe(true);
    await gui.screenshot('empty-start');

    await page.getByTestId('add-host').click();
    const form = page.getByTestId('host-form');
    await form.waitFor();
    await expect
      .poll(() =>
        form.getByLabel('Name', { exact: true }).evaluate((el) => el === document.activeElement),
      )
      .toBe(true);
    expect(await form.getByLabel('Port', { exact: true }).inputValue()).toBe('22');
    expect(await form.getByLabel('Libvirt URI', { exact: true }).inputValue()).toBe(
      'qemu:///system',
    );

    // Enter submits; the empty form is refused field by field.
    await form.getByLabel('Address', { exact: true }).fill('bad host!');
    await form.getByLabel('Port', { exact: true }).fill('70000');
    await form.getByLabel('Name', { exact: true }).press('Enter');
    await form.getByText('Name is required').waitFor();
    await form.getByText('User is required').waitFor();
    await form.getByText(/Address may contain only/).waitFor();
    await form.getByText('Use a port from 1 to 65535').waitFor();
    expect(await form.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await gui.screenshot('host-form-errors');

    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-testid^="host-item-"]').count()).toBe(0);
  });

  it('adds a host with the keyboard only and shows it disconnected', async () => {
    const { page } = gui;
    await page.getByTestId('add-host').click();
    const form = page.getByTestId('host-form');
    await form.waitFor();
    await page.keyboard.type('kvm-01');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kvm01.example.net');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('backup');
    await page.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });

    await page.getByTestId('host-item-kvm-01').waitFor();
    await waitForConnectionState(page, 'disconnected');
    expect(await page.locator('.host-facts').innerText()).toContain('backup@kvm01.example.net:22');
    expect(await page.locator('.host-facts').innerText()).toContain('ssh-agent');
    await gui.screenshot('host-added');
  });

  it('edits and removes a host', async () => {
    const { page } = gui;
    await addHost(page, KVM01);
    await addHost(page, { name: 'to-remove', address: '192.0.2.7', user: 'root' });
    await selectHost(page, 'to-remove');
    await page.getByTestId('edit-host').click();
    const form = page.getByTestId('host-form');
    await form.getByLabel('Name', { exact: true }).fill('renamed');
    await form.getByLabel('Name', { exact: true }).press('Enter');
    await page.getByTestId('host-item-renamed').waitFor();
    expect(await page.getByTestId('host-item-to-remove').count()).toBe(0);

    await page.getByTestId('remove-host').click();
    await page.getByTestId('confirm-remove').click();
    await page.getByTestId('host-item-renamed').waitFor({ state: 'detached' });
    // The selection falls back to the first host rather than a blank pane.
    await page.locator('.pane-title h2', { hasText: 'kvm-01' }).waitFor();
  });
});

describe('connect errors', () => {
  it('shows what happened, why and what to do when nothing listens on the port', async () => {
    const { page } = gui;
    const port = await deadPort();
    await addHost(page, { name: 'nobody-home', address: '127.0.0.1', port, user: 'nobody' });
    await selectHost(page, 'nobody-home');
    // The agent socket may be missing here; a key file makes the test about the port only.
    await page.getByTestId('edit-host').click();
    const form = page.getByTestId('host-form');
    await form.getByLabel('Key file', { exact: true }).check();
    await form.getByLabel('Key file path', { exact: true }).fill('/nonexistent/quiesce-key');
    await form.getByLabel('Key file path', { exact: true }).press('Enter');
    await form.waitFor({ state: 'detached' });

    // A key file that cannot be read is explained before any network traffic.
    await page.getByTestId('connect').click();
    const box = page.getByTestId('error-box');
    await box.waitFor();
    expect(await box.getAttribute('data-code')).toBe('key-file');
    expect(await box.innerText()).toContain('/nonexistent/quiesce-key');
    expect(await box.locator('.error-remedy').innerText()).toMatch(/What to do/);

    // With a real (unencrypted) key, the refused TCP connect is the error.
    const key = join(gui.scratchDir, 'plain_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await page.getByTestId('edit-host').click();
    await form.getByLabel('Key file path', { exact: true }).fill(key);
    await form.getByLabel('Key file path', { exact: true }).press('Enter');
    await form.waitFor({ state: 'detached' });
    await page.getByTestId('connect').click();
    await page.locator('[data-testid="error-box"][data-code="connect-failed"]').waitFor();
    const text = await box.innerText();
    expect(text).toContain(`127.0.0.1:${port} was refused`);
    expect(await box.locator('.error-cause').innerText()).toMatch(/ECONNREFUSED/);
    expect(await box.locator('.error-remedy').innerText()).toContain(
      'Check that sshd runs on the host',
    );
    await waitForConnectionState(page, 'failed');
    expect(await page.getByTestId('host-state-nobody-home').getAttribute('data-state')).toBe(
      'failed',
    );
    await gui.screenshot('error-connect-refused');
  });

  it('asks for an encrypted key’s passphrase, says when it is wrong, then goes on', async () => {
    const { page } = gui;
    const key = await addLockedKeyHost();

    await page.getByTestId('connect').click();
    const dialog = page.getByTestId('passphrase-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(key);
    expect(await dialog.getByText('Wrong passphrase').count()).toBe(0);
    const field = dialog.getByLabel('Passphrase', { exact: true });
    expect(await field.getAttribute('type')).toBe('password');

    await field.fill('battery staple');
    await field.press('Enter');
    await dialog.getByText('Wrong passphrase — try again.').waitFor();
    // The wrong one is not kept in the field.
    expect(await field.inputValue()).toBe('');
    await gui.screenshot('passphrase-wrong');

    await field.fill('correct horse');
    await field.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    // The key opened; the next step is the network, where nothing listens.
    await page.locator('[data-testid="error-box"][data-code="connect-failed"]').waitFor();
  });

  it('Escape cancels the passphrase prompt without connecting', async () => {
    const { page } = gui;
    await addLockedKeyHost();
    await page.getByTestId('connect').click();
    const dialog = page.getByTestId('passphrase-dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('error-box').count()).toBe(0);
    await waitForConnectionState(page, 'disconnected');
  });
});
