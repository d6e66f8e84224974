import followWrapper from '../host-scripts/follow-wrapper.sh?raw';
import { shellCommand } from './quote';

/** Wraps a long-running command so it dies with its SSH channel (host-scripts/follow-wrapper.sh). */
export function followCommand(argv: readonly string[]): string {
  return shellCommand(['sh', '-c', followWrapper, 'sh', ...argv]);
}
