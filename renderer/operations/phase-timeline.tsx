import { formatMs } from '../ui/format';
import { WINDOW_PHASES } from '../../shared/operation-model';
import { PHASE_PURPOSE, PHASE_TITLE, type PhaseStep, type StepStatus } from './phase-steps';

const STATUS_WORD: Record<StepStatus, string> = {
  pending: 'waiting',
  running: 'running',
  done: 'done',
  failed: 'failed',
  skipped: 'not needed',
  'not-reached': 'not reached',
  interrupted: 'interrupted',
};

const ICON: Record<StepStatus, string> = {
  pending: '',
  running: '',
  done: '✓',
  failed: '✗',
  skipped: '–',
  'not-reached': '',
  interrupted: '!',
};

/**
 * The phases of a consistent snapshot left to right, each with how it stands and how long it
 * took on the host. Freeze, cut and thaw sit on a band: the window in which guest writes wait.
 */
export function PhaseTimeline({ steps }: { steps: readonly PhaseStep[] }) {
  return (
    <div className="phase-timeline-wrap">
      <ol className="phase-timeline" aria-label="Phases">
        {steps.map((step) => (
          <li
            key={step.phase}
            className={`phase is-${step.status}${WINDOW_PHASES.has(step.phase) ? ` in-window window-${step.phase}` : ''}`}
            data-testid={`phase-${step.phase}`}
            data-status={step.status}
            title={
              step.detail
                ? `${PHASE_PURPOSE[step.phase]}\n${step.detail}`
                : PHASE_PURPOSE[step.phase]
            }
          >
            <span className="phase-mark" aria-hidden="true">
              {ICON[step.status]}
            </span>
            <span className="phase-name">{PHASE_TITLE[step.phase]}</span>
            <span className="phase-status">
              {step.ms !== null && (step.status === 'done' || step.status === 'failed')
                ? formatMs(step.ms)
                : STATUS_WORD[step.status]}
              {step.status === 'failed' && <span className="visually-hidden"> (failed)</span>}
            </span>
          </li>
        ))}
      </ol>
      <p className="window-legend muted small">
        <span className="window-swatch" aria-hidden="true" /> Freeze, cut and thaw: the window in
        which the guest’s writes wait.
      </p>
    </div>
  );
}
