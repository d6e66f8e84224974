import { useEffect, useId, useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';
import './ui.css';

const FOCUSABLE =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/**
 * A modal dialog on the native <dialog> element: showModal() makes the rest of the page inert
 * (the focus trap comes with it) and turns Escape into a `cancel` event, which we route to
 * onClose so React state, not the browser, decides whether the dialog is open.
 */
export function Dialog({
  title,
  onClose,
  children,
  testId,
  initialFocus,
  tone = 'normal',
  className,
  role = 'dialog',
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  /** What gets the focus on open; by default the first field or button. */
  initialFocus?: RefObject<HTMLElement | null>;
  tone?: 'normal' | 'warning';
  /** Extra classes, e.g. a wider dialog. */
  className?: string;
  /** `alertdialog` for a question that interrupts (see ConfirmDialog). */
  role?: 'dialog' | 'alertdialog';
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  // A layout effect, so close() runs while the element is still in the page and the browser
  // hands the focus back to whatever had it before the dialog opened.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const before = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    const target = initialFocus?.current ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    target?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (before?.isConnected) before.focus();
    };
  }, [initialFocus]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${tone}${className ? ` ${className}` : ''}`}
      role={role}
      aria-modal="true"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
      // Chrome may close a dialog on a repeated Escape without a cancelable event; follow it.
      // A close event from our own cleanup (StrictMode re-opens at once) finds it open: ignore.
      onClose={() => {
        if (!ref.current?.open) onCloseRef.current();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
