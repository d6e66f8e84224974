import { cliEnv } from './app-paths';
import { runCommand } from './commands';
import { EXIT, type ExitCode } from './exit-codes';
import { renderError, renderResult } from './output';
import { parseCommandLine, wantsJson, type ParsedLine } from './parse-args';
import { CliSession } from './session';
import { usageText } from './usage';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * `quiesce ARGS…`: parse, run against the app's services, print, and answer the exit code
 * (docs/cli.md). Progress goes to stderr as it happens; the answer to stdout at the end.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let line: ParsedLine;
  try {
    line = parseCommandLine(argv);
  } catch (err) {
    return emit(renderError(err, wantsJson(argv)), io);
  }
  const { command, globals } = line;
  if (command.name === 'help') {
    io.stdout(usageText(command.topic));
    return EXIT.ok;
  }
  let session: CliSession | undefined;
  try {
    session = await CliSession.open(cliEnv(io.env, globals));
    const progress = globals.quiet ? () => undefined : (l: string) => io.stderr(`${l}\n`);
    const result = await runCommand(command, session, progress);
    return emit(renderResult(result, globals.json), io);
  } catch (err) {
    return emit(renderError(err, globals.json), io);
  } finally {
    session?.close();
  }
}

function emit(r: { exit: ExitCode; stdout: string; stderr: string }, io: CliIo): ExitCode {
  if (r.stderr) io.stderr(r.stderr);
  if (r.stdout) io.stdout(r.stdout);
  return r.exit;
}
