import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One project per test tier (docs/ARCHITECTURE.md, "Test tiers"). test/run-all.ts runs them in
 * order and prints each tier's counts; a tier is never skipped silently.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Many unit tests run the host scripts under real shells against fakes: dozens of
          // processes a test, seconds each on a loaded 2-core machine (vitest's 5 s failed them;
          // the heaviest took 72 s at a load of 17). `npm test` runs this tier on its own, before
          // the lab tiers (test/run-all.ts). A hang detector, not a speed check (that is `npm run
          // bench`).
          testTimeout: 120_000,
          // vitest's default is one worker less than the cores: one file at a time on a 2-core
          // machine, so the fault suites' waits (a fake copy, a guest's shutdown) left a core idle
          // beside the one CPU-bound signal matrix
          maxWorkers: Math.max(2, availableParallelism() - 1),
        },
      },
      {
        test: {
          name: 'host',
          include: ['test/host/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab-tier/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'gui',
          include: ['test/gui/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          // One worker runs every file with its modules kept: with isolate on, each file
          // imported the app's services again (seconds a file). The files keep their state in
          // their own module (evaluated again per file) and register their hooks through
          // useGui (test/gui/harness.ts), never at a shared module's top level.
          isolate: false,
          // The tier's one Chromium, which every file connects to (test/gui/chromium-server.ts).
          globalSetup: ['test/gui/chromium-server.ts'],
        },
      },
    ],
  },
});
