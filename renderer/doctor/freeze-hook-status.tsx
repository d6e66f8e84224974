import type { DoctorReport } from '../../shared/readiness';
import { VerdictMark } from '../domains/verdict-mark';

/** Whether applications get a say before the freeze (the agent's fsfreeze hook). */
export function FreezeHookStatus({ hook }: { hook: NonNullable<DoctorReport['freezeHook']> }) {
  const verdict = !hook.known ? 'skip' : hook.present ? 'pass' : 'warn';
  const word = !hook.known ? 'Unknown' : hook.present ? 'Set up' : 'Not set up';
  return (
    <section
      className="doctor-remedy"
      data-testid="doctor-freeze-hook"
      data-known={hook.known}
      data-present={hook.present}
    >
      <h4>Freeze hook for applications</h4>
      <p className="hook-line">
        <VerdictMark verdict={verdict} word={word} />
        <span>{hook.detail}</span>
      </p>
    </section>
  );
}
