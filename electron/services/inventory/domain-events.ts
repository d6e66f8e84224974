import { shellCommand } from '../shell/quote';

/**
 * libvirt's event stream as `virsh event --loop --all` prints it, one line an event:
 *   event 'lifecycle' for domain 'web-1': Suspended Paused
 *   event 'agent-lifecycle' for domain 'web-1': state: 'connected' reason: 'channel event'
 */
export interface DomainEvent {
  kind: string;
  domain: string;
  detail: string;
}

/**
 * sshd gives a command without a pty no SIGHUP when the channel closes, so a bare
 * `virsh event --loop` would outlive the app's connection. This wrapper watches the channel's
 * stdin: when it reaches EOF (channel closed, link dropped) virsh is killed; when virsh ends on
 * its own (libvirtd restarted), the command ends and the app restarts it.
 */
const FOLLOW_SCRIPT = [
  'exec 3<&0',
  'virsh -q -c "$1" event --loop --all </dev/null & v=$!',
  '(cat <&3 >/dev/null; kill "$v" 2>/dev/null) >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait "$v"',
].join('\n');

export function followEventsCommand(uri: string): string {
  return shellCommand(['sh', '-c', FOLLOW_SCRIPT, 'sh', uri]);
}

export function parseEventLine(line: string): DomainEvent | undefined {
  const m = /event '([\w-]+)' for domain '(.*)':\s*(.*)$/.exec(line.trim());
  if (!m) return undefined;
  return { kind: m[1]!, domain: m[2]!, detail: m[3]!.trim() };
}

/** Events that can change a readiness badge; the rest (e.g. block-threshold) are ignored. */
export function affectsReadiness(e: DomainEvent): boolean {
  return [
    'lifecycle',
    'agent-lifecycle',
    'reboot',
    'device-added',
    'device-removed',
    'tray-change',
  ].includes(e.kind);
}
