import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import { EXIT, type ExitCode } from './exit-codes';

/** What a command came to: its exit code, its answer (for --json) and its text (for people). */
export interface CommandResult {
  exit: ExitCode;
  result: unknown;
  text: string;
  host?: Pick<HostProfile, 'id' | 'name'>;
  domain?: Pick<Domain, 'uuid' | 'name'>;
}

/** Where progress lines go (stderr, unless --quiet). */
export type Progress = (line: string) => void;

export const ok = (result: unknown, text: string): CommandResult => ({
  exit: EXIT.ok,
  result,
  text,
});
