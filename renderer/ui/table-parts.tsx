import type { KeyboardEvent, MouseEvent, ReactNode, Ref } from 'react';

/** A column of a list table: its heading, right-aligned for numbers, or read only by screen readers. */
export interface Column {
  text: string;
  num?: boolean;
  hidden?: boolean;
}

/** The head row of a list table (domains, snapshots, operations). */
export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c.text} scope="col" className={c.num ? 'num' : undefined}>
            {c.hidden ? <span className="visually-hidden">{c.text}</span> : c.text}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/**
 * A list as a table (domains, snapshots, operations): its head, and a body whose rows the arrows
 * move between (`onKeyDown` from useRovingFocus). `variant` "ops" adds ops-wrap and ops-table.
 */
export function ListTable({
  columns,
  variant,
  describedBy,
  onKeyDown,
  children,
}: {
  columns: readonly Column[];
  variant?: string;
  /** The keyboard hint below the table. */
  describedBy: string;
  onKeyDown: (e: KeyboardEvent<HTMLElement>) => void;
  children: ReactNode;
}) {
  return (
    <div className={variant ? `table-wrap ${variant}-wrap` : 'table-wrap'}>
      <table
        className={variant ? `domain-table ${variant}-table` : 'domain-table'}
        aria-describedby={describedBy}
      >
        <TableHead columns={columns} />
        <tbody onKeyDown={onKeyDown}>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A list's search field with its label for screen readers. Escape clears a search first; on an
 * empty field it goes on to whatever else Escape does (closing the dialog).
 */
export function SearchField({
  id,
  label,
  value,
  onChange,
  placeholder = label,
  shortcut,
  testId,
  inputRef,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** By default the label. */
  placeholder?: string;
  /** The key that focuses the field from its list (the list handles it); the placeholder shows it. */
  shortcut?: string;
  testId: string;
  inputRef?: Ref<HTMLInputElement>;
}) {
  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        id={id}
        ref={inputRef}
        type="search"
        className="filter"
        placeholder={shortcut ? `${placeholder}  ( ${shortcut} )` : placeholder}
        aria-keyshortcuts={shortcut}
        value={value}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) {
            onChange('');
            e.preventDefault();
          }
        }}
      />
    </>
  );
}

/** Reads a section's list again on purpose; says so while it reads. */
export function RefreshButton({
  query,
  testId,
  label = 'Refresh',
  busyText = label,
}: {
  query: { isFetching: boolean; refetch: () => Promise<unknown> };
  testId: string;
  label?: string;
  busyText?: string;
}) {
  return (
    <button
      type="button"
      data-testid={testId}
      disabled={query.isFetching}
      onClick={() => void query.refetch()}
    >
      {query.isFetching ? busyText : label}
    </button>
  );
}

/**
 * A small button in a row's actions cell. Its visible text is short ("Doctor"); `forRow` ends it
 * for screen readers (" for vm1"), since a list of rows repeats the same button text.
 */
export function RowButton({
  testId,
  onClick,
  forRow,
  disabled,
  title,
  strong,
  danger,
  children,
}: {
  testId: string;
  onClick: (e: MouseEvent<HTMLButtonElement>) => void;
  forRow: string;
  disabled?: boolean;
  title?: string | undefined;
  /** The row's main action, drawn as the primary button. */
  strong?: boolean;
  /** It deletes or discards: drawn in the danger tone. */
  danger?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`small${strong ? ' primary' : ''}${danger ? ' danger' : ''}`}
      data-testid={testId}
      disabled={disabled}
      title={title}
      onClick={onClick}
    >
      {children}
      <span className="visually-hidden">{forRow}</span>
    </button>
  );
}
