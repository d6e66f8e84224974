import { runCli } from './run-cli';

/**
 * The `quiesce` command (dist/cli/quiesce.mjs, built by scripts/build.mjs). Exits once both
 * streams are flushed: a piped --json answer must arrive whole before the process ends.
 */
const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text);

// A reader that went away (`quiesce ls HOST | head -1`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.on('SIGINT', () => {
  process.stderr.write(
    '\nquiesce: interrupted. A runner already started on the host goes on and thaws on its own; `quiesce operations HOST` shows its outcome.\n',
  );
  process.exit(130);
});

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: write(process.stdout),
  stderr: write(process.stderr),
});
await Promise.all(
  [process.stdout, process.stderr].map(
    (s) => new Promise<void>((resolve) => s.write('', () => resolve())),
  ),
);
process.exit(code);
