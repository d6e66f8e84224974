import type { ReadinessLevel } from '../../shared/readiness';
import type { QuiescePolicy } from '../../shared/snapshot';

export type NoteTone = 'ok' | 'info' | 'warn' | 'bad';

/**
 * What the domain's readiness means for this snapshot, said before it is taken: whether it will
 * be quiesced, refused, crash-consistent or offline. The runner judges again on the host at the
 * moment of the snapshot; this is what the last inventory read says.
 */
export function readinessNote(
  level: ReadinessLevel,
  policy: QuiescePolicy,
): { tone: NoteTone; text: string } {
  const require = policy === 'require';
  const noFreeze = (why: string) =>
    require
      ? {
          tone: 'bad' as const,
          text: `${why}: with Require quiesce this snapshot will be refused.`,
        }
      : {
          tone: 'warn' as const,
          text: `${why}: this will be a crash-consistent snapshot, taken without a freeze and labelled with the reason.`,
        };
  switch (level) {
    case 'ready':
      return {
        tone: 'ok',
        text: 'Ready: the agent answers and can freeze, so the snapshot will be quiesced.',
      };
    case 'not-running':
      return { tone: 'info', text: 'Not running: an offline snapshot, no freeze needed.' };
    case 'paused':
      return {
        tone: 'info',
        text: 'Paused: the guest writes nothing while paused, so no freeze is needed; the snapshot is labelled paused.',
      };
    case 'frozen':
      return {
        tone: 'bad',
        text: 'The guest is frozen right now (another tool, or an earlier run): the snapshot will be refused until it is thawed.',
      };
    case 'agent-not-connected':
      return noFreeze('The agent is not started');
    case 'agent-not-responding':
      return noFreeze('The agent does not respond');
    case 'no-channel':
      return noFreeze('The domain has no agent channel');
    case 'freeze-unsupported':
      return noFreeze('The agent has freezing disabled');
  }
}
