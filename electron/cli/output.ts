import type { AppErrorShape } from '../../shared/errors';
import { CliError } from './cli-error';
import type { CommandResult } from './command-result';
import { EXIT, outcomeOf, type ExitCode } from './exit-codes';
import { errorText } from './format';

/**
 * The end of a command: what goes to stdout (the answer: text, or one JSON object with --json)
 * and stderr (errors, for people), and the exit code. Pure.
 */
export interface Rendered {
  exit: ExitCode;
  stdout: string;
  stderr: string;
}

/** The one JSON object `--json` prints: the same keys on success and failure. */
export interface JsonEnvelope {
  exit: ExitCode;
  outcome: ReturnType<typeof outcomeOf>;
  result: unknown;
  error?: AppErrorShape;
  host?: { id: string; name: string };
  domain?: { uuid: string; name: string };
}

const json = (e: JsonEnvelope) => JSON.stringify(e, null, 2) + '\n';

export function renderResult(r: CommandResult, asJson: boolean): Rendered {
  if (asJson) {
    return {
      exit: r.exit,
      stdout: json({
        exit: r.exit,
        outcome: outcomeOf(r.exit),
        result: r.result,
        ...(r.host ? { host: r.host } : {}),
        ...(r.domain ? { domain: r.domain } : {}),
      }),
      stderr: '',
    };
  }
  return { exit: r.exit, stdout: r.text.endsWith('\n') ? r.text : `${r.text}\n`, stderr: '' };
}

/** Anything thrown: a CliError keeps its code; anything else is a bug, said without a stack. */
export function renderError(err: unknown, asJson: boolean): Rendered {
  const e =
    err instanceof CliError
      ? err
      : new CliError(EXIT.failed, {
          code: 'internal',
          message: 'quiesce hit an unexpected error.',
          cause: err instanceof Error ? err.message : String(err),
          remedy: 'Try again; if it persists, report it with the command that led here.',
        });
  return {
    exit: e.exit,
    stdout: asJson
      ? json({ exit: e.exit, outcome: outcomeOf(e.exit), result: e.result, error: e.shape })
      : '',
    stderr: `${errorText(e.shape)}\n`,
  };
}
