/**
 * `npm run lab -- up|down|status`. stdout carries only the result (one JSON object for `up` and
 * `status`) so scripts can parse it; progress and errors go to stderr.
 */
import { LabError, labDown, labStatus, labUp } from './lab.js';

const USAGE = `usage: npm run lab -- up|down|status
  up      install missing packages, build the guest image, start libvirtd, sshd and 3 guests;
          prints the lab profile (JSON) and saves it as <labdir>/profile.json
  down    destroy the lab guests, stop sshd, libvirtd and virtlogd (images and keys are kept)
  status  JSON report of what runs; exit 0 only if the whole lab is up
env: QUIESCE_LAB_DIR (default /tmp/quiesce-lab), QUIESCE_LAB_PORT (default 2222)`;

async function main(cmd: string | undefined): Promise<number> {
  switch (cmd) {
    case 'up': {
      const profile = await labUp();
      process.stdout.write(JSON.stringify(profile, null, 2) + '\n');
      return 0;
    }
    case 'down':
      await labDown();
      return 0;
    case 'status': {
      const status = await labStatus();
      process.stdout.write(JSON.stringify(status, null, 2) + '\n');
      return status.up ? 0 : 1;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // LabErrors already say what happened and what to do; anything else is a bug: show its stack.
    process.stderr.write(
      err instanceof LabError
        ? `lab: ${err.message}\n`
        : `lab: ${(err as Error)?.stack ?? String(err)}\n`,
    );
    process.exit(1);
  },
);
