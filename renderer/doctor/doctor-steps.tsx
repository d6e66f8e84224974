import { useId, useState } from 'react';
import type { DoctorStep } from '../../shared/readiness';
import { formatMs } from '../ui/format';
import { VerdictMark } from '../domains/verdict-mark';

/** One rung: its verdict and why in plain words; the command and what it said on demand. */
function StepItem({ step }: { step: DoctorStep }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  return (
    <li
      className={`doctor-step step-${step.verdict}`}
      data-testid={`doctor-step-${step.id}`}
      data-verdict={step.verdict}
    >
      <div className="step-head">
        <VerdictMark verdict={step.verdict} />
        <span className="step-title">{step.title}</span>
        <button
          type="button"
          className="disclosure small"
          aria-expanded={open}
          aria-controls={open ? detailsId : undefined}
          onClick={() => setOpen((o) => !o)}
        >
          Details<span className="visually-hidden"> of “{step.title}”</span>
        </button>
      </div>
      <p className="step-explanation">{step.explanation}</p>
      {open && (
        <dl className="step-details" id={detailsId}>
          <dt>Command</dt>
          <dd>
            <pre className="command">{step.command}</pre>
          </dd>
          <dt>Output</dt>
          <dd>
            <pre className="output">{step.output || '(nothing ran)'}</pre>
          </dd>
          <dt>Time</dt>
          <dd>{formatMs(step.ms)}</dd>
        </dl>
      )}
    </li>
  );
}

/** The doctor's checks, top to bottom in the order the badge's ladder runs them. */
export function DoctorSteps({ steps }: { steps: readonly DoctorStep[] }) {
  return (
    <ol className="doctor-steps" aria-label="Checks">
      {steps.map((s) => (
        <StepItem key={s.id} step={s} />
      ))}
    </ol>
  );
}
