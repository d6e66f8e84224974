/**
 * The GUI tier's shared setup: the real browser shell (the same services as the app) serving the
 * built renderer, with a throw-away data folder and an EMPTY known_hosts (never the admin's own
 * ~/.ssh), driven by Debian's Chromium through playwright-core. No browser is ever downloaded.
 */
// First: it connects to the tier's Chromium while the services below are imported.
import { CHROMIUM, sharedBrowser } from './chromium';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, WebSocket } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  startBrowserShell,
  type BrowserShell,
  type BrowserShellOptions,
} from '../../electron/web/server';
import { readLabProfile } from '../lab/lab';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built renderer; QUIESCE_RENDERER_DIR points elsewhere (e.g. a private build) if set. */
export const RENDERER_DIR = process.env.QUIESCE_RENDERER_DIR ?? join(repoRoot, 'dist', 'renderer');
/** Kept as CI artifacts. */
export const SCREENSHOT_DIR = join(repoRoot, 'test-results', 'gui');
// Nothing at this module's top level may register a hook or keep a file's state: the tier runs
// its files in one worker with isolate off (vitest.config.ts), so this module is evaluated once,
// for the first file only. The tier's Chromium goes with the run (chromium-server.ts), each GUI's
// own context with its close.

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
  /** The contract methods the page has called, in order (read from its WebSocket frames). */
  calls: string[];
  /**
   * Saves test-results/gui/<name>.png. The app scrolls inside its panes, so a long view (a
   * dialog, an open evidence row) is shot in a window `height` px tall, then the size goes back.
   */
  screenshot(name: string, opts?: { height?: number }): Promise<string>;
  /**
   * Resolves once every call the page made has been answered and none went or came back for
   * `quietMs`, and what it drew from them is on screen: the page has read what it reads.
   */
  settled(quietMs?: number, timeout?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a browser shell and a Chromium page on it, ready at the app's first screen. known_hosts
 * starts empty unless a test brings its own lines (e.g. a @revoked entry).
 */
export async function startGui(
  opts: {
    knownHosts?: string;
    /** Test-only fault injection passed to the services (e.g. holdFrozenMs: a longer freeze). */
    service?: Pick<BrowserShellOptions, 'holdFrozenMs'>;
  } = {},
): Promise<Gui> {
  requireBuiltRenderer();
  const scratchDir = mkdtempSync(join(tmpdir(), 'quiesce-gui-'));
  const knownHostsPath = join(scratchDir, 'known_hosts');
  writeFileSync(knownHostsPath, opts.knownHosts ?? '', { mode: 0o600 });
  // The page loads its dialogs' code when they open: serve a copy of the build, so a rebuild
  // meanwhile (another run's `npm run build`) cannot pull those files from under the page.
  const rendererDir = join(scratchDir, 'renderer');
  cpSync(RENDERER_DIR, rendererDir, { recursive: true });
  const shell = await startBrowserShell({
    rendererDir,
    dataDir: join(scratchDir, 'data'),
    knownHostsPath,
    ...opts.service,
  });
  let context: BrowserContext | undefined;
  try {
    // A context of its own in the tier's one Chromium (chromium.ts): nothing shared with the
    // other GUIs, and no browser start to wait for.
    context = await (await sharedBrowser()).newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    const calls: string[] = [];
    // The calls sent and not answered yet, per socket (a reload opens a new one), and when a
    // call last went or came back: what `settled` waits on.
    const inFlight = new Map<WebSocket, Set<number>>();
    let lastTraffic = Date.now();
    page.on('websocket', (ws) => {
      const open = new Set<number>();
      inFlight.set(ws, open);
      ws.on('close', () => inFlight.delete(ws));
      ws.on('framesent', ({ payload }) => {
        try {
          const { id, method } = JSON.parse(String(payload)) as { id?: unknown; method?: unknown };
          if (typeof method === 'string') calls.push(method);
          if (typeof id === 'number') open.add(id);
          lastTraffic = Date.now();
        } catch {
          /* not a call */
        }
      });
      ws.on('framereceived', ({ payload }) => {
        try {
          const { id } = JSON.parse(String(payload)) as { id?: unknown };
          if (typeof id === 'number' && open.delete(id)) lastTraffic = Date.now();
        } catch {
          /* not an answer */
        }
      });
    });
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
    const openContext = context;
    return {
      page,
      shell,
      knownHostsPath,
      scratchDir,
      pageErrors,
      calls,
      async screenshot(name, opts = {}) {
        const path = join(SCREENSHOT_DIR, `${name}.png`);
        const size = page.viewportSize();
        if (opts.height && size) await page.setViewportSize({ ...size, height: opts.height });
        try {
          await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
        } finally {
          if (opts.height && size) await page.setViewportSize(size);
        }
        return path;
      },
      async settled(quietMs = 300, timeout = 30_000) {
        const deadline = Date.now() + timeout;
        const pending = () => [...inFlight.values()].reduce((n, open) => n + open.size, 0);
        while (pending() > 0 || Date.now() - lastTraffic < quietMs) {
          if (Date.now() > deadline) {
            throw new Error(
              `the page still had ${pending()} call(s) in flight after ${timeout} ms`,
            );
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        // What the last answer changed is drawn before anyone looks at it.
        await page.evaluate(
          () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
        );
      },
      async close() {
        await openContext.close().catch(() => undefined);
        await shell.close();
        rmSync(scratchDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context?.close().catch(() => undefined);
    await shell.close();
    rmSync(scratchDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Registers a GUI test file's hooks, so each file does not repeat them: the GUI started and
 * `connect` run on it (while `prepare` runs), then `setup` run on it (which receives the GUI:
 * keep it), once for the file or, with `perTest`, for every test (a fresh data folder and
 * known_hosts each time, so no test sees what another left); when that fails, every test fails
 * with its error (a skipped test would hide it); after each test, the page's console and
 * uncaught errors must be none (a CSP violation or a React error shows up there before it shows
 * up to an admin); the GUI closed at the end. A file's own `afterEach` (registered after this)
 * runs before the page-error check.
 */
export function useGui(opts: {
  /**
   * Work on the lab that needs no window (snapshots to make through the services first): it
   * runs while the GUI starts, and `setup` after both.
   */
  prepare?: () => Promise<void>;
  /**
   * The window's own start that needs nothing from `prepare` (connecting the lab, whose guests
   * are there already): it runs as soon as the GUI is up, while `prepare` still works, so a
   * file does not wait for the one and then the other.
   */
  connect?: (gui: Gui) => Promise<void>;
  setup: (gui: Gui) => Promise<void> | void;
  perTest?: boolean;
  start?: Parameters<typeof startGui>[0];
  /** For a `prepare` or `setup` that takes long (snapshots to make first). */
  timeoutMs?: number;
}): void {
  let current: Gui | undefined;
  let setupError: unknown;
  const open = async () => {
    setupError = undefined;
    try {
      // Both settle before either's failure counts, so a GUI that started is closed as usual
      // (`current` is set as soon as it is up, whatever `connect` then does).
      const [started, prepared] = await Promise.allSettled([
        startGui(opts.start).then(async (gui) => {
          current = gui;
          await opts.connect?.(gui);
        }),
        opts.prepare?.(),
      ]);
      if (started.status === 'rejected') throw started.reason;
      if (prepared.status === 'rejected') throw prepared.reason;
      await opts.setup(current!);
    } catch (err) {
      setupError = err;
    }
  };
  const close = async () => {
    const gui = current;
    current = undefined;
    await gui?.close();
  };
  if (opts.perTest) {
    afterEach(close);
    beforeEach(async () => {
      await open();
      if (setupError) throw setupError;
    }, opts.timeoutMs);
  } else {
    beforeAll(open, opts.timeoutMs);
    beforeEach(() => {
      if (setupError) throw setupError;
    });
    afterAll(close);
  }
  afterEach(() => {
    const seen = current?.pageErrors.splice(0) ?? [];
    expect(seen).toEqual([]);
  });
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

/** How to reach the lab's sshd (a LabProfile has these and more). */
export interface SshTarget {
  address: string;
  port: number;
  user: string;
  keyPath: string;
}

/**
 * Adds a host on the lab's sshd with the given libvirt URI, selects it and connects, trusting
 * (and saving) the host key if this GUI's known_hosts does not know it yet.
 */
export async function connectHost(
  page: Page,
  target: SshTarget,
  host: { name: string; libvirtUri: string },
): Promise<void> {
  await addHost(page, { ...target, ...host });
  await selectHost(page, host.name);
  await page.getByTestId('connect').click();
  const dialog = page.getByTestId('hostkey-dialog');
  const connected = page.locator('[data-testid="connection-state"][data-state="connected"]');
  await dialog.or(connected).first().waitFor({ timeout: 60_000 });
  if (await dialog.isVisible()) await page.getByTestId('hostkey-accept-save').click();
  await waitForConnectionState(page, 'connected');
}

/**
 * Connects the window to the lab (connectLab) and waits until the guest `name` is listed (the
 * agent guest by default): the start of every file that works on a lab guest's history.
 */
export async function connectLabListing(page: Page, name?: string): Promise<void> {
  const lab = readLabProfile();
  await connectLab(page, lab);
  await page
    .getByTestId(`history-open-${name ?? labGuestNames(lab).agent}`)
    .waitFor({ timeout: 60_000 });
}

/** The lab's three guests' names by role. */
export function labGuestNames(profile: { guests: readonly { name: string; role: string }[] }) {
  const byRole = (role: string) => {
    const g = profile.guests.find((x) => x.role === role);
    if (!g) throw new Error(`the lab profile has no ${role} guest`);
    return g.name;
  };
  return { agent: byRole('agent'), noAgent: byRole('no-agent'), noChannel: byRole('no-channel') };
}

/**
 * Adds the lab host (named "lab", on the lab's libvirt) in the window and connects it; with
 * `levels`, waits until those guests' badges show them.
 */
export async function connectLab(
  page: Page,
  profile: SshTarget & { libvirtUri: string },
  levels?: Record<string, string>,
): Promise<void> {
  await connectHost(page, profile, { name: 'lab', libvirtUri: profile.libvirtUri });
  if (levels) await waitForLevels(page, levels);
}

/** When the shown inventory was read (main's ISO time), or undefined before the first read. */
export async function fetchedAt(page: Page): Promise<string | undefined> {
  const updated = page.getByTestId('last-updated');
  if ((await updated.count()) === 0) return undefined;
  return (await updated.getAttribute('data-fetched-at')) ?? undefined;
}

/** Clicks Refresh and waits until a new inventory is on screen. */
export async function refreshDomains(page: Page, timeout = 60_000): Promise<void> {
  const button = page.locator('[data-testid="refresh-domains"]:not([disabled])');
  await button.waitFor({ timeout });
  const before = await fetchedAt(page);
  await button.click();
  await page
    .locator(`[data-testid="last-updated"]:not([data-fetched-at="${before}"])`)
    .waitFor({ timeout });
  await button.waitFor({ timeout });
}

/** Each named domain's readiness level as its badge says it (null when the row is missing). */
export async function readinessLevels(
  page: Page,
  names: readonly string[],
): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const name of names) {
    const badge = page.getByTestId(`readiness-${name}`);
    out[name] = (await badge.count()) ? await badge.getAttribute('data-level') : null;
  }
  return out;
}

/**
 * Waits until the badges show `want`, refreshing now and then. The lab may be shared with other
 * test runs that stop an agent or pause a guest for a while; their effects pass, ours must not
 * be blamed on them.
 */
export async function waitForLevels(
  page: Page,
  want: Record<string, string>,
  timeout = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = await readinessLevels(page, Object.keys(want));
    if (Object.entries(want).every(([name, level]) => got[name] === level)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `readiness badges still ${JSON.stringify(got)} after ${timeout / 1000} s, want ${JSON.stringify(want)}`,
      );
    }
    await refreshDomains(page);
  }
}

/** One domain row as the admin reads it off the list. */
export interface ListedRow {
  state: string;
  level: string | null;
}

/**
 * Every row of the domain list, read by scrolling the page's scroller from top to bottom: the
 * list draws only the rows in sight (and a margin), so counting the drawn ones counts a window,
 * not the list. The scroll position is put back afterwards. The walk runs inside the page, one
 * call for the whole list rather than three a step: each step waits two frames and a task (the
 * list redraws on the scroll event, before the next frame) before reading what is drawn.
 */
export async function allDomainRows(page: Page): Promise<Map<string, ListedRow>> {
  const rows = await page.locator('.main-pane').evaluate(async (pane) => {
    const read: [string, string, string | null][] = [];
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
    const start = pane.scrollTop;
    pane.scrollTo(0, 0);
    for (;;) {
      await frame();
      await frame();
      await new Promise((r) => setTimeout(r, 0));
      for (const tr of document.querySelectorAll('tr.domain-row')) {
        read.push([
          tr.querySelector('.domain-name')?.textContent ?? '',
          tr.querySelector('[data-testid^="domain-state-"]')?.textContent ?? '',
          tr.getAttribute('data-level'),
        ]);
      }
      if (pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 1) break;
      pane.scrollBy(0, Math.max(100, pane.clientHeight / 2));
    }
    pane.scrollTo(0, start);
    return read;
  });
  const seen = new Map<string, ListedRow>();
  for (const [name, state, level] of rows) seen.set(name, { state, level: level ?? null });
  return seen;
}

/** How many domain rows are wholly inside the window (below the sticky head), as seen. */
export async function visibleDomainRows(page: Page): Promise<number> {
  return page.evaluate(() => {
    const pane = document.querySelector('.main-pane')!.getBoundingClientRect();
    const head = document.querySelector('table.domain-list thead')?.getBoundingClientRect();
    const top = Math.max(pane.top, head ? head.bottom : pane.top);
    const bottom = Math.min(pane.bottom, window.innerHeight);
    return [...document.querySelectorAll('tr.domain-row')].filter((tr) => {
      const r = tr.getBoundingClientRect();
      return r.top >= top - 1 && r.bottom <= bottom + 1;
    }).length;
  });
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** An accessibility finding as axe-core reports it, cut to what a failure message needs. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * The serious and critical accessibility violations axe-core finds on the page as it is now
 * (WCAG 2.x A and AA rules and axe's best practices). axe-core is evaluated in the page through
 * the debugging protocol, not as a script tag, so the page's own CSP stays as strict as shipped.
 */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<unknown> } }).axe;
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown[] }[];
      }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Switches the header's theme (system, light or dark) and waits until the page draws it. */
export async function setTheme(page: Page, theme: 'system' | 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-switch').selectOption(theme);
  if (theme !== 'system')
    await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached' });
}
