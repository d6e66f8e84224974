import { followCommand } from '../shell/follow';

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

export function followEventsCommand(uri: string): string {
  return followCommand(['virsh', '-q', '-c', uri, 'event', '--loop', '--all']);
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
