/**
 * The Chromium the GUI tests drive: the tier's one browser (chromium-server.ts starts it before
 * the first file), connected to once per worker. A GUI gets a browser context of its own in it
 * (own cookies, storage and cache, as isolated as a browser of its own), so no test waits for a
 * browser to start or close. The connection starts when this module is first evaluated, so it
 * runs while the rest of the test file's imports (the app's services) are still loading;
 * harness.ts imports this module first for that reason.
 */
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';

export { CHROMIUM } from './chromium-server';

let connecting: Promise<Browser> | undefined;

/**
 * The tier's Chromium, connected on first use and again if the connection went away; a failed
 * connection is not kept, so the next caller tries again and sees its own error.
 */
export function sharedBrowser(): Promise<Browser> {
  if (connecting) return connecting;
  const endpoint = inject('chromiumWsEndpoint');
  const attempt = endpoint
    ? chromium.connect(endpoint)
    : Promise.reject(
        new Error(
          'no Chromium for the GUI tier: run it as vitest\'s "gui" project (vitest.config.ts)',
        ),
      );
  connecting = attempt;
  const forget = () => {
    if (connecting === attempt) connecting = undefined;
  };
  attempt.then((browser) => browser.on('disconnected', forget), forget);
  return attempt;
}

// Started now, to overlap the imports that follow; a missing Chromium is reported by
// requireBuiltRenderer (harness.ts) when a test starts its GUI, not here.
void sharedBrowser().catch(() => undefined);
