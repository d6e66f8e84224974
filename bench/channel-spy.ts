/**
 * Counts SSH round trips independently of what the app reports about itself: every session
 * channel opened on any ssh2 Client (exec, shell, sftp, subsystem) is recorded, with its command.
 * One channel = one request/answer exchange with the host = one round trip as docs/ARCHITECTURE.md counts
 * them (the connection itself is set up once, before any refresh).
 *
 * The spy patches the prototype of the very Client class the bundled services use, so it sees
 * the app's own channels as well as the bench's naive ones.
 */
import type { Client } from 'ssh2';

export interface ChannelOpen {
  kind: 'exec' | 'shell' | 'sftp' | 'subsys';
  /** The command line for exec, the subsystem name for subsys, '' otherwise. */
  command: string;
  /** Which ssh2 connection opened it. */
  client: object;
}

export interface ChannelSpy {
  /** Returns the channels opened since the last take() (or since the spy was installed). */
  take(): ChannelOpen[];
  restore(): void;
}

type Method = (this: object, ...args: unknown[]) => unknown;

export function spyOnChannels(ClientClass: typeof Client): ChannelSpy {
  const proto = ClientClass.prototype as unknown as Record<ChannelOpen['kind'], Method>;
  const kinds: ChannelOpen['kind'][] = ['exec', 'shell', 'sftp', 'subsys'];
  const originals = new Map<ChannelOpen['kind'], Method>();
  let seen: ChannelOpen[] = [];
  for (const kind of kinds) {
    const original = proto[kind];
    originals.set(kind, original);
    proto[kind] = function (this: object, ...args: unknown[]) {
      const first = args[0];
      seen.push({
        kind,
        command: (kind === 'exec' || kind === 'subsys') && typeof first === 'string' ? first : '',
        client: this,
      });
      return original.apply(this, args);
    };
  }
  return {
    take() {
      const out = seen;
      seen = [];
      return out;
    },
    restore() {
      for (const [kind, original] of originals) proto[kind] = original;
    },
  };
}
