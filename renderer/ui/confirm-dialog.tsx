import { useRef, type ReactNode } from 'react';
import { Dialog } from './dialog';

/** How a confirmation answers: the caller runs the action and says while it is busy. */
export interface ConfirmAnswer {
  /** The action runs: the confirm button is disabled (and says `busyText`). */
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A question before something that cannot be taken back: an alertdialog (modal, the rest of the
 * page inert) whose safe answer has the focus, Escape cancels, and Enter on the confirm button
 * (a real <button>) confirms. What the body says is the caller's: the consequences, plainly.
 * `testIds` "x" names the dialog x-confirm, its buttons x-cancel and x-yes.
 */
export function ConfirmDialog({
  title,
  children,
  confirmText,
  busyText,
  busy,
  danger = true,
  onConfirm,
  onCancel,
  testIds,
  tone = 'warning',
}: ConfirmAnswer & {
  title: ReactNode;
  /** The consequences; shown above the two buttons. */
  children: ReactNode;
  confirmText: string;
  busyText?: string;
  /** A destructive action (red button); otherwise the primary colour. */
  danger?: boolean;
  testIds: string | { dialog: string; confirm: string; cancel?: string };
  tone?: 'normal' | 'warning';
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const ids =
    typeof testIds === 'string'
      ? { dialog: `${testIds}-confirm`, confirm: `${testIds}-yes`, cancel: `${testIds}-cancel` }
      : testIds;
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      testId={ids.dialog}
      initialFocus={cancelRef}
      tone={tone}
      role="alertdialog"
    >
      {children}
      <div className="dialog-actions">
        <button type="button" ref={cancelRef} data-testid={ids.cancel} onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          data-testid={ids.confirm}
          disabled={busy}
          onClick={onConfirm}
        >
          {busy && busyText ? busyText : confirmText}
        </button>
      </div>
    </Dialog>
  );
}
