/**
 * `npm run demo`: brings the lab up (real libvirt + QEMU guests + sshd on this machine) and opens
 * Quiesce connected to it — the Electron shell when its binary is present, else the browser shell,
 * which prints its URL. The demo has its own data folder and known_hosts; the admin's are untouched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HostStore } from '../electron/services/hosts/host-store';
import { electronBinary } from './electron-binary.mjs';

const DEMO_DIR = process.env.QUIESCE_DEMO_DIR ?? '/tmp/quiesce-demo';
// Fixed ids, so a second `npm run demo` shows the same hosts rather than duplicates.
const LAB_HOST_ID = '5f0c2a8e-1b7d-4c3e-9a6f-0d4e8b2c1a70';
const TEST_DRIVER_HOST_ID = '5f0c2a8e-1b7d-4c3e-9a6f-0d4e8b2c1a71';

console.error(
  '[demo] bringing the lab up (the first time installs packages and builds a guest: a few minutes)',
);
const up = spawnSync('npx', ['tsx', 'test/lab/cli.ts', 'up'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
if (up.status !== 0) {
  console.error('[demo] the lab did not come up; see the messages above.');
  process.exit(1);
}
const profile = JSON.parse(up.stdout) as {
  address: string;
  port: number;
  user: string;
  keyPath: string;
  knownHostsPath: string;
  libvirtUri: string;
  testDriverUri: string;
};

const dataDir = join(DEMO_DIR, 'data');
const knownHosts = join(DEMO_DIR, 'known_hosts');
mkdirSync(DEMO_DIR, { recursive: true });
rmSync(join(dataDir, 'hosts.json'), { force: true });
copyFileSync(profile.knownHostsPath, knownHosts);
const store = new HostStore(dataDir);
const common = {
  address: profile.address,
  port: profile.port,
  user: profile.user,
  auth: { kind: 'key' as const, keyPath: profile.keyPath },
};
await store.save({
  id: LAB_HOST_ID,
  name: 'Quiesce lab',
  ...common,
  libvirtUri: profile.libvirtUri,
});
await store.save({
  id: TEST_DRIVER_HOST_ID,
  name: 'Lab test driver (200 domains)',
  ...common,
  libvirtUri: profile.testDriverUri,
});

const env = {
  ...process.env,
  QUIESCE_DATA_DIR: dataDir,
  QUIESCE_KNOWN_HOSTS: knownHosts,
  QUIESCE_AUTOCONNECT: `${LAB_HOST_ID},${TEST_DRIVER_HOST_ID}`,
};
const binary = electronBinary({ fetch: true });
const child = binary
  ? spawn(binary, ['.'], { stdio: 'inherit', env })
  : spawn(process.execPath, ['dist/web/server.mjs'], { stdio: 'inherit', env });
if (!binary)
  console.error("[demo] Electron's binary is not installed here: using the browser shell.");
console.error('[demo] stop with Ctrl-C; the lab keeps running until `npm run lab -- down`.');
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
