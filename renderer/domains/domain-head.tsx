import type { DomainSort, DomainSortKey } from './domain-list-view';

const SORTABLE: { key: DomainSortKey; text: string }[] = [
  { key: 'name', text: 'Name' },
  { key: 'state', text: 'State' },
  { key: 'readiness', text: 'Readiness' },
];

/**
 * The domain list's head: Name, State and Readiness sort on a click (again: the other way),
 * saying which way in aria-sort; the actions are not sorted by.
 */
export function DomainHead({
  sort,
  onSort,
}: {
  sort: DomainSort;
  onSort: (key: DomainSortKey) => void;
}) {
  return (
    <thead>
      <tr aria-rowindex={1}>
        {SORTABLE.map(({ key, text }) => {
          const active = sort.key === key;
          return (
            <th
              key={key}
              scope="col"
              aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
            >
              <button
                type="button"
                className="sort-button"
                data-testid={`sort-${key}`}
                onClick={() => onSort(key)}
              >
                {text}
                <span className="sort-mark" aria-hidden="true">
                  {active ? (sort.descending ? '▼' : '▲') : ''}
                </span>
              </button>
            </th>
          );
        })}
        <th scope="col">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}
