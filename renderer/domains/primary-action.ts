import type { ReadinessLevel } from '../../shared/readiness';
import type { QuiescePolicy } from '../../shared/snapshot';

/**
 * A row's main button, said as what it will do for this domain's readiness: a consistent
 * snapshot when the agent can freeze, an offline or paused one when no freeze is needed, a
 * crash-consistent one (the policy chosen for this run, by the words on the button) when the
 * agent cannot freeze, and nothing while the guest is frozen (the thaw comes first).
 */
export interface PrimaryAction {
  text: string;
  /** The policy the snapshot dialog starts from; undefined: the remembered or default one. */
  policy?: QuiescePolicy;
  /** Why the button is off; undefined: it is on. */
  blocked?: string;
  /** The consistent snapshot itself is the strong button; the others are plain. */
  strong: boolean;
}

export function primaryAction(level: ReadinessLevel): PrimaryAction {
  switch (level) {
    case 'ready':
      return { text: 'Consistent snapshot', strong: true };
    case 'not-running':
      return { text: 'Offline snapshot…', strong: false };
    case 'paused':
      return { text: 'Snapshot while paused…', strong: false };
    case 'frozen':
      return {
        text: 'Frozen: thaw first',
        strong: false,
        blocked:
          'The guest is frozen now: thaw it (the banner above) before a snapshot; the doctor shows why.',
      };
    case 'agent-not-connected':
    case 'agent-not-responding':
    case 'no-channel':
    case 'freeze-unsupported':
      return {
        text: 'Crash-consistent snapshot…',
        strong: false,
        policy: 'allow-crash-consistent',
      };
  }
}
