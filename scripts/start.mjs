// `npm start`: the Electron shell when its binary is installed, else the browser shell.
import { spawn } from 'node:child_process';
import { electronBinary } from './electron-binary.mjs';

const binary = electronBinary({ fetch: true });
const [cmd, args] = binary
  ? [binary, ['.', ...process.argv.slice(2)]]
  : [process.execPath, ['dist/web/server.mjs', ...process.argv.slice(2)]];
if (!binary) {
  console.error(
    "Electron's binary is not installed here (npm downloads it on install where the internet is reachable).\n" +
      'Starting the browser shell instead: open the URL below in a browser on this machine.',
  );
}
const child = spawn(cmd, args, { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
