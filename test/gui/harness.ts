/**
 * The GUI tier's shared setup: the real browser shell (the same services as the app) serving the
 * built renderer, with a throw-away data folder and an EMPTY known_hosts (never the admin's own
 * ~/.ssh), driven by Debian's Chromium through playwright-core. No browser is ever downloaded.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBrowserShell, type BrowserShell } from '../../electron/web/server';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built renderer; QUIESCE_RENDERER_DIR points elsewhere (e.g. a private build) if set. */
export const RENDERER_DIR = process.env.QUIESCE_RENDERER_DIR ?? join(repoRoot, 'dist', 'renderer');
/** Kept as CI artifacts. */
export const SCREENSHOT_DIR = join(repoRoot, 'test-results', 'gui');
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet headless Chromium that talks to nothing but the page under test. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with the reason (never skips) when the tier's preconditions are not met. */
export function requireBuiltRenderer(): void {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(
      `The renderer is not built: ${join(RENDERER_DIR, 'index.html')} is missing. Run "npm run build" first (npm test does).`,
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing. Install Debian's chromium package (apt-get install chromium).`,
    );
  }
}

export interface Gui {
  page: Page;
  shell: BrowserShell;
  /** The test's own known_hosts, empty at start. */
  knownHostsPath: string;
  /** A scratch folder for the test's own files (keys, …). */
  scratchDir: string;
  /** Browser console errors and uncaught page errors seen so far (CSP violations land here). */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a browser shell and a Chromium page on it, ready at the app's first screen. known_hosts
 * starts empty unless a test brings its own lines (e.g. a @revoked entry).
 */
export async function startGui(opts: { knownHosts?: string } = {}): Promise<Gui> {
  requireBuiltRenderer();
  const scratchDir = mkdtempSync(join(tmpdir(), 'quiesce-gui-'));
  const knownHostsPath = join(scratchDir, 'known_hosts');
  writeFileSync(knownHostsPath, opts.knownHosts ?? '', { mode: 0o600 });
  const shell = await startBrowserShell({
    rendererDir: RENDERER_DIR,
    dataDir: join(scratchDir, 'data'),
    knownHostsPath,
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // Chromium asks for /favicon.ico on its own; the app has none, and that 404 is not ours.
      if (msg.type() !== 'error' || msg.location().url.endsWith('/favicon.ico')) return;
      pageErrors.push(`console: ${msg.text()} (${msg.location().url})`);
    });
    // The loader page moves the token into a cookie and reloads; the app is up when the
    // sidebar's button is there.
    await page.goto(shell.url);
    await page.getByTestId('add-host').waitFor();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const openBrowser = browser;
    return {
      page,
      shell,
      knownHostsPath,
      scratchDir,
      pageErrors,
      async screenshot(name) {
        const path = join(SCREENSHOT_DIR, `${name}.png`);
        await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
        return path;
      },
      async close() {
        await openBrowser.close().catch(() => undefined);
        await shell.close();
        rmSync(scratchDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await shell.close();
    rmSync(scratchDir, { recursive: true, force: true });
    throw err;
  }
}

export interface HostFields {
  name: string;
  address: string;
  port?: number;
  user: string;
  /** A key file path; without it the host logs in with ssh-agent. */
  keyPath?: string;
  libvirtUri?: string;
}

/** Adds a host through the form, as the admin would, and waits until it is listed. */
export async function addHost(page: Page, host: HostFields): Promise<void> {
  await page.getByTestId('add-host').click();
  const form = page.getByTestId('host-form');
  await form.waitFor();
  await form.getByLabel('Name', { exact: true }).fill(host.name);
  await form.getByLabel('Address', { exact: true }).fill(host.address);
  if (host.port !== undefined)
    await form.getByLabel('Port', { exact: true }).fill(String(host.port));
  await form.getByLabel('User', { exact: true }).fill(host.user);
  if (host.keyPath !== undefined) {
    await form.getByLabel('Key file', { exact: true }).check();
    await form.getByLabel('Key file path', { exact: true }).fill(host.keyPath);
  }
  if (host.libvirtUri !== undefined) {
    await form.getByLabel('Libvirt URI', { exact: true }).fill(host.libvirtUri);
  }
  await form.getByLabel('Name', { exact: true }).press('Enter');
  await form.waitFor({ state: 'detached' });
  await page.getByTestId(`host-item-${host.name}`).waitFor();
}

/** Selects a host in the sidebar and waits for its pane. */
export async function selectHost(page: Page, name: string): Promise<void> {
  await page.getByTestId(`host-item-${name}`).click();
  await page.locator('.pane-title h2', { hasText: name }).waitFor();
}

/** Waits until the selected host's pill shows `state`. */
export async function waitForConnectionState(
  page: Page,
  state: string,
  timeout = 60_000,
): Promise<void> {
  await page
    .locator(`[data-testid="connection-state"][data-state="${state}"]`)
    .waitFor({ timeout });
}
