/**
 * The connect flow against the real lab (test/lab): a real sshd with a real host key, real
 * libvirt guests, and the libvirt test driver with 200 domains. The runner brings the lab up
 * before this tier; a missing lab fails here with the reason, it is never skipped.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AWKWARD_TEST_NAMES,
  readLabProfile,
  restoreHostKey,
  rotateHostKey,
  testDomains,
  type LabProfile,
} from '../lab/lab';
import { shellCommand } from '../../shared/shell-command';
import { OWN_SSHD_ADDRESS, startOwnSshd } from '../host/own-sshd';
import {
  addHost,
  allDomainRows,
  selectHost,
  startGui,
  waitForConnectionState,
  type Gui,
} from './harness';

let profile: LabProfile;
let gui: Gui;

/** Why the setup failed, if it did: every test then fails with it (a skipped test hides it). */
let setupError: unknown;

beforeAll(async () => {
  try {
    profile = readLabProfile();
    gui = await startGui();
  } catch (err) {
    setupError = err;
  }
});

beforeEach(() => {
  if (setupError) throw setupError;
});

afterAll(async () => {
  await gui?.close();
});

afterEach(() => {
  const seen = gui?.pageErrors.splice(0) ?? [];
  expect(seen).toEqual([]);
});

/**
 * Every domain row as the admin reads it: name → state, straight from the rendered list,
 * scrolled through from top to bottom (it draws only the rows in sight).
 */
async function renderedDomains(page: Page): Promise<Map<string, string>> {
  const rows = await allDomainRows(page);
  return new Map([...rows].map(([name, row]) => [name, row.state]));
}
const listedCount = async (page: Page) => (await allDomainRows(page)).size;

describe('lab host', () => {
  it('adds the lab host, shows its unknown key, and after accepting lists the guests', async () => {
    const { page } = gui;
    await addHost(page, {
      name: 'lab',
      address: profile.address,
      port: profile.port,
      user: profile.user,
      keyPath: profile.keyPath,
      libvirtUri: 'qemu:///system',
    });
    await selectHost(page, 'lab');
    await waitForConnectionState(page, 'disconnected');

    await page.getByTestId('connect').click();
    const dialog = page.getByTestId('hostkey-dialog');
    await dialog.waitFor();
    expect(await dialog.getAttribute('role')).toBe('dialog');
    expect(await page.getByTestId('hostkey-fingerprint').innerText()).toBe(
      profile.hostKeyFingerprint,
    );
    expect(await page.getByTestId('hostkey-type').innerText()).toBe(profile.hostKeyType);
    const text = await dialog.innerText();
    expect(text).toContain(`${profile.address}:${profile.port}`);
    expect(text).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    // The safe choice has the focus: a stray Enter must not trust a key.
    await expect
      .poll(() =>
        page.getByTestId('hostkey-cancel').evaluate((el) => el === document.activeElement),
      )
      .toBe(true);
    expect(readFileSync(gui.knownHostsPath, 'utf8')).toBe('');
    await gui.screenshot('lab-hostkey-unknown');

    await page.getByTestId('hostkey-accept-save').click();
    await dialog.waitFor({ state: 'detached' });
    await waitForConnectionState(page, 'connected');
    expect(await page.getByTestId('host-state-lab').getAttribute('data-state')).toBe('connected');
    expect(readFileSync(gui.knownHostsPath, 'utf8')).toContain('ssh-ed25519 ');

    for (const guest of profile.guests) {
      await page.getByTestId(`domain-row-${guest.name}`).waitFor();
      expect(await page.getByTestId(`domain-state-${guest.name}`).innerText()).toBe('running');
      // The UUID is a detail: it shows when the row's details are opened.
      await page.getByTestId(`evidence-toggle-${guest.name}`).click();
      expect(await page.getByTestId(`domain-uuid-${guest.name}`).innerText()).toBe(guest.uuid);
      await page.getByTestId(`evidence-toggle-${guest.name}`).click();
    }
    // Other sessions sharing the lab may have guests of their own defined for a while: ours are
    // all there (above), and nothing is missing from the table; the exact count is not ours.
    expect(await listedCount(page)).toBeGreaterThanOrEqual(profile.guests.length);
    await gui.screenshot('lab-domains');
  });

  it('refuses a changed host key, showing the old and the new fingerprints', async () => {
    const { page } = gui;
    await selectHost(page, 'lab');
    await page.getByTestId('disconnect').click();
    await waitForConnectionState(page, 'disconnected');

    const newFingerprint = await rotateHostKey();
    try {
      expect(newFingerprint).not.toBe(profile.hostKeyFingerprint);
      await page.getByTestId('connect').click();
      const refusal = page.getByTestId('hostkey-refused');
      await refusal.waitFor();
      expect(await refusal.getAttribute('role')).toBe('alert');
      expect(await refusal.getAttribute('data-status')).toBe('host-key-changed');
      expect(await refusal.getByRole('heading').first().innerText()).toBe(
        'Host key changed — connection refused',
      );
      expect(await page.getByTestId('hostkey-offered').innerText()).toBe(newFingerprint);
      const expected = page.getByTestId('hostkey-expected');
      expect(await expected.count()).toBe(1);
      const line = await expected.innerText();
      expect(line).toContain(profile.hostKeyFingerprint);
      expect(line).toContain(`line 1 of ${gui.knownHostsPath}`);
      expect(await refusal.innerText()).toContain(
        shellCommand([
          'ssh-keygen',
          '-R',
          `[${profile.address}]:${profile.port}`,
          '-f',
          gui.knownHostsPath,
        ]),
      );
      // No way to accept from here, and nothing connected.
      expect(await page.getByTestId('hostkey-dialog').count()).toBe(0);
      expect(await page.locator('[data-testid^="hostkey-accept"]').count()).toBe(0);
      await waitForConnectionState(page, 'disconnected');
      await gui.screenshot('lab-hostkey-changed');
    } finally {
      await restoreHostKey();
    }

    // With the original key back, the saved entry is enough again: no dialog, no refusal.
    await page.getByTestId('connect').click();
    await waitForConnectionState(page, 'connected');
    expect(await page.getByTestId('hostkey-refused').count()).toBe(0);
  });

  it('lists the 200 domains of the test driver through the already trusted key', async () => {
    const { page } = gui;
    await addHost(page, {
      name: 'lab-test-driver',
      address: profile.address,
      port: profile.port,
      user: profile.user,
      keyPath: profile.keyPath,
      libvirtUri: profile.testDriverUri,
    });
    await selectHost(page, 'lab-test-driver');
    await page.getByTestId('connect').click();
    await waitForConnectionState(page, 'connected');
    expect(await page.getByTestId('hostkey-dialog').count()).toBe(0);

    await expect.poll(() => listedCount(page), { timeout: 60_000 }).toBe(profile.testDriverDomains);
    // Every name (spaces, quotes, non-ASCII, "$HOME") and state shows exactly as libvirt has it.
    const want = new Map(testDomains(profile.testDriverDomains).map((d) => [d.name, d.state]));
    expect(await renderedDomains(page)).toEqual(want);
    // Each awkward name's row answers to its test id (drawn once the filter brings it in sight).
    for (const name of AWKWARD_TEST_NAMES) {
      await page.getByTestId('domain-filter').fill(name);
      await page.getByTestId(`domain-row-${name}`).waitFor();
    }
    await page.getByTestId('domain-filter').fill('');
    await expect.poll(() => page.getByTestId('domain-count').innerText()).toBe(String(want.size));
    await gui.screenshot('lab-test-driver-200');

    // The filter narrows the long list by any word; Escape brings it all back.
    const filter = page.getByTestId('domain-filter');
    await filter.fill('paused');
    const paused = [...want].filter(([, state]) => state === 'paused').map(([name]) => name);
    await expect
      .poll(async () => [...(await renderedDomains(page)).keys()].sort())
      .toEqual(paused.sort());
    expect(await page.getByTestId('domain-count').innerText()).toBe(
      `${paused.length} of ${want.size}`,
    );
    await filter.fill('$HOME');
    await expect
      .poll(async () => [...(await renderedDomains(page)).keys()])
      .toEqual(['semi;colon$HOME']);
    await filter.press('Escape');
    await expect.poll(() => listedCount(page)).toBe(profile.testDriverDomains);

    // Refresh asks again and keeps the table in place.
    await page.getByTestId('refresh-domains').click();
    await page.locator('[data-testid="refresh-domains"]:not([disabled])').waitFor();
    expect(await listedCount(page)).toBe(profile.testDriverDomains);
  });
});

describe('lab host with an encrypted key', () => {
  it('asks for the passphrase, then the host key, and connects with both answers', async () => {
    // Its own shell: an empty known_hosts again, so the key question comes after the passphrase.
    const own = await startGui();
    try {
      const { page } = own;
      const key = join(own.scratchDir, 'lab_key_encrypted');
      copyFileSync(profile.keyPath, key);
      execFileSync('ssh-keygen', ['-q', '-p', '-f', key, '-P', '', '-N', 'lab secret']);
      await addHost(page, {
        name: 'lab-locked',
        address: profile.address,
        port: profile.port,
        user: profile.user,
        keyPath: key,
      });
      await selectHost(page, 'lab-locked');
      await page.getByTestId('connect').click();

      const prompt = page.getByTestId('passphrase-dialog');
      await prompt.getByLabel('Passphrase', { exact: true }).fill('lab secret');
      await prompt.getByLabel('Passphrase', { exact: true }).press('Enter');

      const dialog = page.getByTestId('hostkey-dialog');
      await dialog.waitFor();
      expect(await page.getByTestId('hostkey-fingerprint').innerText()).toBe(
        profile.hostKeyFingerprint,
      );
      await page.getByTestId('hostkey-accept-once').click();
      await waitForConnectionState(page, 'connected');
      await page.getByTestId(`domain-row-${profile.guests[0]!.name}`).waitFor();
      // "Accept once" trusts the key for this connection and writes nothing.
      expect(readFileSync(own.knownHostsPath, 'utf8')).toBe('');
      expect(own.pageErrors).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe('lab host with a prepared known_hosts', () => {
  /** The lab's own known_hosts line for its sshd: "[127.0.0.1]:2222 ssh-ed25519 AAAA…". */
  function labHostKeyLine(): string {
    const line = readFileSync(profile.knownHostsPath, 'utf8')
      .split('\n')
      .find((l) => l.includes(' ssh-ed25519 '));
    if (!line) throw new Error(`no ssh-ed25519 line in ${profile.knownHostsPath}`);
    return line.trim();
  }
  const hostPattern = () => `[${profile.address}]:${profile.port}`;

  it('refuses a revoked host key with no way to accept it', async () => {
    const own = await startGui({ knownHosts: `@revoked ${labHostKeyLine()}\n` });
    try {
      const { page } = own;
      await addHost(page, {
        name: 'lab-revoked',
        address: profile.address,
        port: profile.port,
        user: profile.user,
        keyPath: profile.keyPath,
      });
      await page.getByTestId('connect').click();
      const refusal = page.getByTestId('hostkey-refused');
      await refusal.waitFor();
      expect(await refusal.getAttribute('data-status')).toBe('host-key-revoked');
      const text = await refusal.innerText();
      expect(text).toContain('Host key revoked — connection refused');
      expect(text).toContain(`line 1 of ${own.knownHostsPath}`);
      expect(await page.getByTestId('hostkey-offered').innerText()).toBe(
        profile.hostKeyFingerprint,
      );
      expect(await page.locator('[data-testid^="hostkey-accept"]').count()).toBe(0);
      await waitForConnectionState(page, 'disconnected');
      await own.screenshot('lab-hostkey-revoked');
      expect(own.pageErrors).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('connects without a question to a host known only by its ECDSA key, though it also offers ed25519', async () => {
    // A second sshd of our own with both key types (the lab's has only ed25519); known_hosts
    // holds only its ECDSA key. OpenSSH connects without asking; so must Quiesce.
    const sshd = await startOwnSshd({ hostKeyTypes: ['ed25519', 'ecdsa'] });
    const own = await startGui({
      knownHosts: `[${OWN_SSHD_ADDRESS}]:${sshd.port} ${sshd.hostKeys.ecdsa!.line}\n`,
    });
    try {
      const { page } = own;
      await addHost(page, {
        name: 'ecdsa-known',
        address: OWN_SSHD_ADDRESS,
        port: sshd.port,
        user: sshd.user,
        keyPath: sshd.clientKey,
        libvirtUri: profile.testDriverUri,
      });
      await page.getByTestId('connect').click();
      // Whichever comes first: connected, or a question (the old ordering asked about ed25519).
      await page
        .locator(
          '[data-testid="connection-state"][data-state="connected"], [data-testid="hostkey-dialog"]',
        )
        .first()
        .waitFor();
      expect(await page.getByTestId('hostkey-dialog').count()).toBe(0);
      await waitForConnectionState(page, 'connected');
      expect(await page.getByTestId('hostkey-refused').count()).toBe(0);
      // Nothing was added: the key it connected with is the one known_hosts already had.
      expect(readFileSync(own.knownHostsPath, 'utf8')).toBe(
        `[${OWN_SSHD_ADDRESS}]:${sshd.port} ${sshd.hostKeys.ecdsa!.line}\n`,
      );
      await own.screenshot('lab-hostkey-known-ecdsa');
      expect(own.pageErrors).toEqual([]);
    } finally {
      await own.close();
      await sshd.stop();
    }
  });

  it('explains a host known only by a key type it does not offer', async () => {
    // The lab's sshd offers only ed25519; known_hosts has an ECDSA key for it. Ordering cannot
    // help, so the admin is asked, and told why.
    const own = await startGui();
    try {
      const { page } = own;
      const other = join(own.scratchDir, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', other]);
      const [type, blob] = readFileSync(`${other}.pub`, 'utf8').split(' ');
      writeFileSync(own.knownHostsPath, `${hostPattern()} ${type} ${blob}\n`);
      await addHost(page, {
        name: 'lab-other-type',
        address: profile.address,
        port: profile.port,
        user: profile.user,
        keyPath: profile.keyPath,
      });
      await page.getByTestId('connect').click();
      const dialog = page.getByTestId('hostkey-dialog');
      await dialog.waitFor();
      expect(await dialog.innerText()).toContain(`only with a key of another type (${type})`);
      await own.screenshot('lab-hostkey-unknown-other-type');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await waitForConnectionState(page, 'disconnected');
      expect(own.pageErrors).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
