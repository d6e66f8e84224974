/**
 * The one Chromium a GUI test file drives. Launching Chromium costs seconds on a loaded machine,
 * and a file may start several GUIs (one per test, or its own shells beside the shared one): they
 * all share this browser, each in a browser context of its own (own cookies, storage and cache,
 * as isolated as a browser of its own). The launch starts when this module is first evaluated,
 * so it runs while the rest of the test file's imports (the app's services) are still loading;
 * harness.ts imports this module first for that reason, and closes the browser after the file.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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

let launching: Promise<Browser> | undefined;

/**
 * The file's Chromium, launched on first use and again if it went away (crashed or closed); a
 * failed launch is not kept, so the next caller tries again and sees its own error.
 */
export function sharedBrowser(): Promise<Browser> {
  if (launching) return launching;
  const attempt = chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  launching = attempt;
  const forget = () => {
    if (launching === attempt) launching = undefined;
  };
  attempt.then((browser) => browser.on('disconnected', forget), forget);
  return attempt;
}

/** Closes the file's Chromium if one was launched (every context in it goes with it). */
export async function closeSharedBrowser(): Promise<void> {
  const attempt = launching;
  launching = undefined;
  const browser = await attempt?.catch(() => undefined);
  await browser?.close().catch(() => undefined);
}

// Started now, to overlap the imports that follow; a missing Chromium is reported by
// requireBuiltRenderer (harness.ts) when a test starts its GUI, not here.
if (existsSync(CHROMIUM)) void sharedBrowser().catch(() => undefined);
