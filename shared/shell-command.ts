import { quote } from 'shell-quote';

/**
 * The one way an argument list becomes a shell command line: what main sends to the host
 * (electron/services/shell/quote.ts) and every command the UI shows to copy (procedures,
 * remedies, known_hosts clean-up). It lives in shared/ because the renderer builds some of
 * those commands from data it already holds (the disk chains, the known_hosts path): one pure
 * function both sides import has fewer moving parts than main sending each command over the
 * contract. Every word is quoted for a POSIX shell (sh, bash, dash, zsh), image paths included;
 * nothing else in the code base quotes or concatenates untrusted text into a command line.
 */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellCommand: empty argument list');
  for (const arg of argv) {
    // A NUL cannot be represented in a C string argument; refuse rather than silently truncate.
    if (arg.includes('\0')) throw new Error('shellCommand: argument contains a NUL byte');
  }
  return quote([...argv]);
}
