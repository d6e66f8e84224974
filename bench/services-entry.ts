/**
 * What the bench takes from the app, bundled by services.ts into one CommonJS file. The bench
 * drives the real services exactly as the tests do (test/support/service-harness.ts), plus the
 * app's own SSH connection class and quoting for the naive baseline.
 */
export { serviceHarness } from '../test/support/service-harness';
export { connectSsh } from '../electron/services/ssh/ssh-connection';
export { shellCommand } from '../electron/services/shell/quote';
export { followEventsCommand } from '../electron/services/inventory/domain-events';
// The very ssh2 Client class the bundled services use, so the channel spy patches the right one.
export { Client } from 'ssh2';
// The browser shell the UI measure serves the built renderer from (ui-bench.ts).
export { startBrowserShell } from '../electron/web/server';
