import { useId } from 'react';
import type { Prerequisite } from '../../shared/readiness';
import { VerdictMark } from '../domains/verdict-mark';
import { Remedy } from '../ui/remedy';
import './host-page.css';

/**
 * Prerequisites whose failure only takes a feature away (snapshots still work): shown amber,
 * not red. The rest (virsh, access, libvirt version, hypervisor) stop consistent snapshots.
 */
const LIMITATIONS = new Set(['external-delete', 'external-revert']);

/**
 * What the host needs for consistent snapshots. The met ones fit on one line; each unmet one
 * gets its own row with what was found and what to do.
 */
export function PrerequisitesPanel({ prerequisites }: { prerequisites: readonly Prerequisite[] }) {
  const titleId = useId();
  const met = prerequisites.filter((p) => p.ok);
  const unmet = prerequisites.filter((p) => !p.ok);

  return (
    <section
      className="prerequisites"
      aria-labelledby={titleId}
      data-testid="prerequisites"
      data-all-ok={unmet.length === 0}
    >
      <h3 id={titleId} className="prerequisites-title">
        Host prerequisites
        <span className="muted small">
          {unmet.length === 0
            ? `all ${prerequisites.length} met`
            : `${met.length} of ${prerequisites.length} met`}
        </span>
      </h3>
      {met.length > 0 && (
        <ul className="prereq-chips inline-list">
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
          {unmet.map((p) => {
            const limited = LIMITATIONS.has(p.id);
            return (
              <li
                key={p.id}
                className={`prereq-row ${limited ? 'is-limited' : 'is-failed'}`}
                data-testid={`prereq-${p.id}`}
                data-ok={p.ok}
              >
                <VerdictMark
                  verdict={limited ? 'warn' : 'fail'}
                  word={limited ? 'Limited' : 'Not met'}
                />
                <span className="prereq-label">{p.label}</span>
                <span className="prereq-detail">{p.detail}</span>
                {p.remedy && <Remedy text={p.remedy} />}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
