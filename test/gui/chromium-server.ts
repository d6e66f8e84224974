/**
 * The GUI tier's one Chromium (vitest.config.ts, the `gui` project's globalSetup). Launching and
 * closing Chromium cost a test file seconds on a loaded machine; the tier's files now run one
 * after another in one worker (isolate off) and each connects to this browser instead, in
 * browser contexts of its own (chromium.ts). It runs in vitest's main process, so it goes when
 * the run ends however the worker ended. Without Chromium nothing is started: the first GUI a
 * test starts fails with the reason (harness.ts, requireBuiltRenderer).
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';

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

declare module 'vitest' {
  export interface ProvidedContext {
    /** The tier's Chromium (playwright's browser server), or '' when none was started. */
    chromiumWsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: BrowserServer | undefined;
  if (existsSync(CHROMIUM)) {
    server = await chromium.launchServer({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      // its control socket on loopback only, said here rather than left to the default
      host: '127.0.0.1',
    });
  }
  project.provide('chromiumWsEndpoint', server?.wsEndpoint() ?? '');
  return async () => {
    await server?.close();
  };
}
