import { shellCommand } from './quote';

/**
 * Wraps a long-running command (`virsh event --loop`, `tail -f`) so it dies with its SSH channel.
 * sshd gives a command without a pty no SIGHUP when the channel closes, so the bare command would
 * outlive the app's connection. The wrapper watches the channel's stdin: at EOF (channel closed,
 * link dropped) the command is killed; when the command ends on its own, the exec ends too.
 */
const WRAPPER = [
  'exec 3<&0',
  '"$@" </dev/null & c=$!',
  '(cat <&3 >/dev/null; kill "$c" 2>/dev/null) >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait "$c"',
].join('\n');

export function followCommand(argv: readonly string[]): string {
  return shellCommand(['sh', '-c', WRAPPER, 'sh', ...argv]);
}
