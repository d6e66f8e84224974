import { slowWindowNote } from './slow-window-note';

/** The run's window flagged when it is far above the domain's usual one; nothing otherwise. */
export function SlowWindowNote({
  op,
  operations,
}: {
  op: Parameters<typeof slowWindowNote>[0];
  operations: Parameters<typeof slowWindowNote>[1];
}) {
  const note = slowWindowNote(op, operations);
  if (!note) return null;
  return (
    <p className="notice-warning" role="status" data-testid="slow-window">
      {note}
    </p>
  );
}
