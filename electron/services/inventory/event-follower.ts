import type { SshConnection } from '../ssh/ssh-connection';
import {
  affectsReadiness,
  followEventsCommand,
  parseEventLine,
  type DomainEvent,
} from './domain-events';

/**
 * Follows libvirt's events for one host on one SSH channel (`virsh event --loop --all`), so
 * badges change when a guest starts, stops or its agent comes and goes, without polling. If the
 * stream ends while the link is up (libvirtd restarted), it is started again after a pause.
 */
export function followDomainEvents(
  conn: SshConnection,
  uri: string,
  onEvent: (e: DomainEvent) => void,
  restartDelayMs = 5000,
): () => void {
  let stopped = false;
  let current: { stop(): void } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const start = () => {
    current = conn.stream(
      followEventsCommand(uri),
      (line) => {
        const e = parseEventLine(line);
        if (e && affectsReadiness(e)) onEvent(e);
      },
      () => {
        if (!stopped && conn.isOpen) timer = setTimeout(start, restartDelayMs);
      },
    );
  };
  start();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    current?.stop();
  };
}
