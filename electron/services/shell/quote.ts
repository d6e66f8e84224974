/**
 * The one way an argument list becomes a remote shell command (docs/ARCHITECTURE.md, "Quoted
 * arguments"). The remote side runs the user's login shell, so every argument is quoted for a
 * POSIX shell. The function itself is in shared/shell-command.ts, so the commands the UI shows
 * to copy are quoted by the very same code.
 */
export { shellCommand } from '../../../shared/shell-command';
