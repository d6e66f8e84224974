import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';

/**
 * Where the history's dialogs live: in <body>, so a dialog opened from a table row does not
 * inherit the cell's layout (text alignment, no wrapping), and behind a wall for keys, so typing
 * in the dialog never reaches the row's own shortcuts (React events bubble through the component
 * tree, portal or not).
 */
export function HistoryLayer({ children }: { children: ReactNode }) {
  return createPortal(
    <div className="history-layer" onKeyDown={(e) => e.stopPropagation()}>
      {children}
    </div>,
    document.body,
  );
}
