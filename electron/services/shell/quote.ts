import { quote } from 'shell-quote';

/**
 * The one way an argument list becomes a remote shell command
 * (docs/ARCHITECTURE.md, "Quoted arguments"). The remote side runs the user's login shell, so
 * every argument is quoted for a POSIX shell; nothing else in the code base concatenates
 * untrusted text into a command line.
 */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellCommand: empty argument list');
  for (const arg of argv) {
    // A NUL cannot be represented in a C string argument; refuse rather than silently truncate.
    if (arg.includes('\0')) throw new Error('shellCommand: argument contains a NUL byte');
  }
  return quote([...argv]);
}
