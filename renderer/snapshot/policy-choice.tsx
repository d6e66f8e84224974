import type { QuiescePolicy } from '../../shared/snapshot';
import './snapshot.css';

/** The two quiesce policies, as every form that picks one names and explains them. */
export const QUIESCE_POLICIES: readonly {
  value: QuiescePolicy;
  /** The end of the radio's test id: x-policy-require, x-policy-allow. */
  short: string;
  label: string;
  explanation: string;
}[] = [
  {
    value: 'require',
    short: 'require',
    label: 'Require quiesce',
    explanation: 'If the agent cannot freeze the guest, no snapshot is taken and you are told why.',
  },
  {
    value: 'allow-crash-consistent',
    short: 'allow',
    label: 'Allow crash-consistent',
    explanation:
      'If the agent cannot freeze, the snapshot is cut without a freeze and labelled with the reason.',
  },
];

/**
 * The quiesce policy as radio buttons: with each one's explanation below its label (the
 * snapshot form, where the choice is made for this run), or as a compact row (the settings'
 * default). `name` groups the radios and prefixes the explanations' ids.
 */
export function PolicyChoice({
  legend,
  name,
  value,
  onChange,
  testIdPrefix,
  explained,
}: {
  legend: string;
  name: string;
  value: QuiescePolicy;
  onChange: (policy: QuiescePolicy) => void;
  testIdPrefix: string;
  explained: boolean;
}) {
  return (
    <fieldset className={`field ${explained ? 'policy-choice' : 'choice-row'}`}>
      <legend>{legend}</legend>
      {QUIESCE_POLICIES.map((p) => {
        const explanationId = `${name}-${p.value}`;
        return (
          <label key={p.value} className={explained ? 'policy-option' : 'radio'}>
            <input
              type="radio"
              name={name}
              value={p.value}
              checked={value === p.value}
              data-testid={`${testIdPrefix}-policy-${p.short}`}
              aria-describedby={explained ? explanationId : undefined}
              onChange={() => onChange(p.value)}
            />
            {explained ? (
              <span className="policy-text">
                <span className="policy-label">{p.label}</span>
                <span className="policy-explanation" id={explanationId}>
                  {p.explanation}
                </span>
              </span>
            ) : (
              p.label
            )}
          </label>
        );
      })}
    </fieldset>
  );
}
