import type { HostProfile } from '../../shared/hosts';
import type { CommandResult, Progress } from './command-result';
import type { Command } from './options';
import type { CliSession } from './session';

/** The commands of one family (`export-…`, `schedule-…`): the ones its own module runs. */
export type CommandFamily<P extends string> = Extract<Command, { name: `${P}-${string}` }>;

/** A family of commands on one connected host, run by its own module (export-commands.ts…). */
export interface FamilyRunner<P extends string> {
  /** Whether a command is of this family: its name starts with `P-`. */
  has(cmd: Command): cmd is CommandFamily<P>;
  run(
    cmd: CommandFamily<P>,
    s: CliSession,
    host: HostProfile,
    progress: Progress,
  ): Promise<CommandResult>;
}

export function commandFamily<P extends string>(
  prefix: P,
  run: FamilyRunner<P>['run'],
): FamilyRunner<P> {
  return { has: (cmd): cmd is CommandFamily<P> => cmd.name.startsWith(`${prefix}-`), run };
}
