/**
 * The UI's measures (docs/ui.md): how much JavaScript the first screen loads, and how soon the
 * first domain list is on screen after the connection is up, on the lab's 200-domain test-driver
 * host. The built renderer is served by the real browser shell and driven by Debian's Chromium
 * (playwright-core; no browser is downloaded), with a throw-away data folder and a copy of the
 * lab's known_hosts.
 *
 * firstScreenKB: the JavaScript (raw bytes, as served) the page has loaded when the app's first
 * screen is drawn. listScreenKB: all it has loaded once the first domain list is drawn (the
 * validation library comes with the first event). firstListMs: from the host's pill turning
 * "Connected" to the first domain row on screen, median of `runs` connects.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { LabProfile } from '../test/lab/lab.js';
import type { Services } from './services.js';
import { BenchError, median, type Log } from './util.js';

const RENDERER_DIR = resolve(import.meta.dirname, '..', 'dist', 'renderer');
const CHROMIUM = '/usr/bin/chromium';
export const UI_TARGETS = { firstScreenKB: 400, firstListMs: 1000 } as const;

export interface UiResult {
  firstScreenKB: number;
  listScreenKB: number;
  firstListMs: number;
  firstListRunsMs: number[];
  /** How long main took to answer domains.list (the host's inventory), median. */
  listCallMs: number;
  /** From "Connected" to the renderer asking domains.list, median. */
  listAskedMs: number;
  /** From domains.list's answer reaching the page to the first row on screen, median. */
  drawMs: number;
  domains: number;
  /** Domain rows wholly in sight at 1280×800 right after the list is drawn. */
  rowsInSight: number;
}

/** Adds the lab's test-driver host through the form, as an admin would. */
async function addHost(page: Page, profile: LabProfile): Promise<void> {
  await page.getByTestId('add-host').click();
  const form = page.getByTestId('host-form');
  const field = (label: string) => form.getByLabel(label, { exact: true });
  await field('Name').fill('bench-200');
  await field('Address').fill(profile.address);
  await field('Port').fill(String(profile.port));
  await field('User').fill(profile.user);
  await field('Key file').check();
  await field('Key file path').fill(profile.keyPath);
  await field('Libvirt URI').fill(profile.testDriverUri);
  await field('Name').press('Enter');
  await form.waitFor({ state: 'detached' });
}

export async function benchUi(
  svc: Pick<Services, 'startBrowserShell'>,
  profile: LabProfile,
  log: Log,
  { runs = 5 } = {},
): Promise<UiResult> {
  if (!existsSync(join(RENDERER_DIR, 'index.html')))
    throw new BenchError(`the renderer is not built (${RENDERER_DIR}): run "npm run build" first`);
  if (!existsSync(CHROMIUM))
    throw new BenchError(`${CHROMIUM} is missing (apt-get install chromium)`);
  const scratch = mkdtempSync(join(tmpdir(), 'quiesce-bench-ui-'));
  const knownHostsPath = join(scratch, 'known_hosts');
  copyFileSync(profile.knownHostsPath, knownHostsPath);
  const shell = await svc.startBrowserShell({
    rendererDir: RENDERER_DIR,
    dataDir: join(scratch, 'data'),
    knownHostsPath,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(60_000);
    let scriptBytes = 0;
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      void res.body().then(
        (b) => (scriptBytes += b.length),
        () => undefined,
      );
    });
    // When each domains.list was asked and answered over the page's WebSocket: the part of the
    // wait that is the host's inventory, not the drawing.
    const listCalls = new Map<number, number>();
    const listCallMs: number[] = [];
    // The last list asked and answered (page clock, performance.now()), for each connect below.
    let listAskedAt = 0;
    let listAnsweredAt = 0;
    page.on('websocket', (ws) => {
      ws.on('framesent', ({ payload }) => {
        const msg = JSON.parse(String(payload)) as { id?: number; method?: string };
        if (msg.method === 'domains.list' && msg.id !== undefined) {
          listAskedAt = performance.now();
          listCalls.set(msg.id, listAskedAt);
        }
      });
      ws.on('framereceived', ({ payload }) => {
        const msg = JSON.parse(String(payload)) as { id?: number };
        const asked = msg.id === undefined ? undefined : listCalls.get(msg.id);
        if (asked === undefined) return;
        listAnsweredAt = performance.now();
        listCallMs.push(listAnsweredAt - asked);
      });
    });
    await page.goto(shell.url);
    await page.getByTestId('add-host').waitFor();
    await page.waitForLoadState('networkidle');
    const firstScreenKB = scriptBytes / 1024;
    log(`ui: first screen loaded ${firstScreenKB.toFixed(0)} KB of JavaScript`);

    await addHost(page, profile);
    await page.getByTestId('host-item-bench-200').click();
    const timesMs: number[] = [];
    const askedMs: number[] = [];
    const drawMs: number[] = [];
    let rowsInSight = 0;
    let domains = 0;
    for (let i = 0; i < runs; i++) {
      await page.getByTestId('connect').click();
      await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor();
      const t0 = performance.now();
      await page.locator('tr.domain-row').first().waitFor();
      const t1 = performance.now();
      timesMs.push(t1 - t0);
      // Negative when the list was asked before the pill was seen Connected.
      askedMs.push(listAskedAt - t0);
      drawMs.push(t1 - listAnsweredAt);
      if (i === 0) {
        domains = Number(await page.getByTestId('domain-count').textContent());
        rowsInSight = await page.evaluate(() => {
          const head = document.querySelector('table.domain-list thead')!.getBoundingClientRect();
          return [...document.querySelectorAll('tr.domain-row')].filter((tr) => {
            const r = tr.getBoundingClientRect();
            return r.top >= head.bottom - 1 && r.bottom <= window.innerHeight + 1;
          }).length;
        });
      }
      await page.getByTestId('disconnect').click();
      await page.locator('[data-testid="connection-state"][data-state="disconnected"]').waitFor();
    }
    const listScreenKB = scriptBytes / 1024;
    const firstListMs = median(timesMs);
    log(
      `ui: first list ${firstListMs.toFixed(0)} ms after Connected (runs ${timesMs.map((t) => t.toFixed(0)).join(', ')}), ${rowsInSight} rows in sight of ${domains}; domains.list answered in ${median(listCallMs).toFixed(0)} ms (median; asked ${median(askedMs).toFixed(0)} ms after Connected, row drawn ${median(drawMs).toFixed(0)} ms after the answer)`,
    );
    return {
      firstScreenKB,
      listScreenKB,
      firstListMs,
      firstListRunsMs: timesMs,
      listCallMs: median(listCallMs),
      listAskedMs: median(askedMs),
      drawMs: median(drawMs),
      domains,
      rowsInSight,
    };
  } finally {
    await browser.close().catch(() => undefined);
    await shell.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

// `npx tsx bench/ui-bench.ts`: this measure alone, as JSON on stdout (the lab must be up).
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { readLabProfile } = await import('../test/lab/lab.js');
  const { log } = await import('./util.js');
  const { loadServices } = await import('./services.js');
  const result = await benchUi(await loadServices(), readLabProfile(), log);
  process.stdout.write(JSON.stringify({ ui: result }) + '\n');
  process.exit(0);
}
