import { useId, useState } from 'react';
import type { Prerequisite } from '../../shared/readiness';
import { VerdictMark } from '../domains/verdict-mark';
import { Remedy } from '../ui/remedy';
import './host-page.css';

/**
 * Prerequisites whose failure only takes a feature away (snapshots still work). Unmet, they are
 * said where that feature is offered (the history's status line says how delete and revert go
 * on this libvirt), not on the host page: said once, where it matters.
 */
const LIMITATIONS = new Set(['external-delete', 'external-revert']);

/**
 * What the host needs for consistent snapshots. All met: one line, the list behind a toggle.
 * Each unmet one gets its own row with what was found and what to do.
 */
export function PrerequisitesPanel({ prerequisites }: { prerequisites: readonly Prerequisite[] }) {
  const titleId = useId();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const shown = prerequisites.filter((p) => p.ok || !LIMITATIONS.has(p.id));
  const met = shown.filter((p) => p.ok);
  const unmet = shown.filter((p) => !p.ok);

  return (
    <section
      className="prerequisites"
      aria-labelledby={titleId}
      data-testid="prerequisites"
      data-all-ok={unmet.length === 0}
    >
      <div className="prerequisites-title inline-row">
        <VerdictMark verdict={unmet.length === 0 ? 'pass' : 'fail'} word="" />
        <h3 id={titleId}>Host prerequisites</h3>
        <span className="muted small">
          {unmet.length === 0 ? `all ${met.length} met` : `${met.length} of ${shown.length} met`}
        </span>
        {met.length > 0 && (
          <button
            type="button"
            className="disclosure small"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            data-testid="prereq-toggle"
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide the met ones' : 'Show the met ones'}
          </button>
        )}
      </div>
      {open && (
        <ul className="prereq-chips inline-list" id={listId}>
          {met.map((p) => (
            <li key={p.id} className="prereq-chip" data-testid={`prereq-${p.id}`} data-ok={p.ok}>
              <VerdictMark verdict="pass" word="" />
              <span className="prereq-label">{p.label}</span>
              <span className="visually-hidden">: OK,</span>
              <span className="prereq-detail">{p.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {unmet.length > 0 && (
        <ul className="prereq-unmet">
          {unmet.map((p) => (
            <li
              key={p.id}
              className="prereq-row is-failed"
              data-testid={`prereq-${p.id}`}
              data-ok={p.ok}
            >
              <VerdictMark verdict="fail" word="Not met" />
              <span className="prereq-label">{p.label}</span>
              <span className="prereq-detail">{p.detail}</span>
              {p.remedy && <Remedy text={p.remedy} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
