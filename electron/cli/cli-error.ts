import type { AppErrorShape } from '../../shared/errors';
import { EXIT, exitForError, type ExitCode } from './exit-codes';

/**
 * A failure the command line reports and exits with: the same three parts as the app's errors
 * (what happened, why, what to do; docs/ARCHITECTURE.md, "Errors that say what to do"), plus its
 * exit code and, for a refused host key, what the host offered.
 */
export class CliError extends Error {
  constructor(
    readonly exit: ExitCode,
    readonly shape: AppErrorShape,
    /** Extra facts for --json (e.g. the connect outcome with the offered fingerprint). */
    readonly result: unknown = null,
  ) {
    super(shape.message);
    this.name = 'CliError';
  }

  /** An error the services answered with; its code decides the exit code. */
  static fromService(shape: AppErrorShape): CliError {
    return new CliError(exitForError(shape), shape);
  }

  static usage(message: string, remedy = 'Run `quiesce help` for the commands.'): CliError {
    return new CliError(EXIT.usage, { code: 'invalid-input', message, remedy });
  }

  static notFound(message: string, remedy: string): CliError {
    return new CliError(EXIT.notFound, { code: 'not-found', message, remedy });
  }
}
