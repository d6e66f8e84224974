import type { ReadinessLevel } from '../../shared/readiness';
import { badgeClassOf, ReadinessIcon } from './readiness-badge';
import { levelCounts } from './readiness-view';

/**
 * The readiness filter: one toggle chip per rung present, with its icon, words and count; no
 * chip pressed shows every domain, pressed chips show their rungs only. Counted over the whole
 * list, so a chip says how many there are, whatever else narrows the view.
 */
export function ReadinessChips({
  levels,
  chosen,
  onToggle,
  onClear,
}: {
  levels: readonly ReadinessLevel[];
  chosen: ReadonlySet<ReadinessLevel>;
  onToggle: (level: ReadinessLevel) => void;
  onClear: () => void;
}) {
  const counts = levelCounts(levels);
  return (
    <div
      className="readiness-chips"
      role="group"
      aria-label="Show by readiness"
      data-testid="readiness-chips"
    >
      <button
        type="button"
        className="chip"
        aria-pressed={chosen.size === 0}
        data-testid="readiness-chip-all"
        onClick={onClear}
      >
        All <span className="chip-count">{levels.length}</span>
      </button>
      {counts.map(({ level, count, words }) => (
        <button
          key={level}
          type="button"
          className={`chip ${badgeClassOf(level)}`}
          aria-pressed={chosen.has(level)}
          data-testid={`readiness-chip-${level}`}
          data-level={level}
          data-count={count}
          onClick={() => onToggle(level)}
        >
          <ReadinessIcon level={level} />
          {words} <span className="chip-count">{count}</span>
        </button>
      ))}
    </div>
  );
}
