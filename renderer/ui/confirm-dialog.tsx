import { useRef, type ReactNode } from 'react';
import { Dialog } from './dialog';

/**
 * A question before something that cannot be taken back: an alertdialog (modal, the rest of the
 * page inert) whose safe answer has the focus, Escape cancels, and Enter on the confirm button
 * (a real <button>) confirms. What the body says is the caller's: the consequences, plainly.
 */
export function ConfirmDialog({
  title,
  children,
  confirmText,
  busyText,
  busy = false,
  danger = true,
  onConfirm,
  onCancel,
  testId,
  cancelTestId,
  confirmTestId,
  tone = 'warning',
}: {
  title: ReactNode;
  /** The consequences; shown above the two buttons. */
  children: ReactNode;
  confirmText: string;
  /** What the confirm button says while the action runs (then it is disabled). */
  busyText?: string;
  busy?: boolean;
  /** A destructive action (red button); otherwise the primary colour. */
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId: string;
  cancelTestId?: string;
  confirmTestId: string;
  tone?: 'normal' | 'warning';
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      testId={testId}
      initialFocus={cancelRef}
      tone={tone}
      role="alertdialog"
    >
      {children}
      <div className="dialog-actions">
        <button type="button" ref={cancelRef} data-testid={cancelTestId} onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          data-testid={confirmTestId}
          disabled={busy}
          onClick={onConfirm}
        >
          {busy && busyText ? busyText : confirmText}
        </button>
      </div>
    </Dialog>
  );
}
