import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  type ReactNode,
  type Ref,
  type RefObject,
} from 'react';
import type { Domain } from '../../shared/domains';
import './ui.css';

/** What a dialog about one domain takes: the domain (its UUID addresses it, its name titles it). */
export interface DomainDialogProps {
  domain: Pick<Domain, 'uuid' | 'name'>;
  onClose: () => void;
}

const FOCUSABLE =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/**
 * A modal dialog on the native <dialog> element: showModal() makes the rest of the page inert
 * (the focus trap comes with it) and turns Escape into a `cancel` event, which we route to
 * onClose so React state, not the browser, decides whether the dialog is open.
 */
export function Dialog({
  title,
  subtitle,
  onClose,
  children,
  testId,
  initialFocus,
  tone = 'normal',
  className,
  role = 'dialog',
}: {
  title: ReactNode;
  /** What the dialog is about (a domain's name), after the title in quieter type. */
  subtitle?: ReactNode;
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
        {subtitle !== undefined && (
          <>
            {' '}
            <span className="dialog-subtitle">{subtitle}</span>
          </>
        )}
      </h2>
      {children}
    </dialog>
  );
}

/**
 * The last row of a dialog that informs rather than asks: what else it offers (`children`), then
 * Close, the primary button, so Enter on it closes.
 */
export function CloseActions({
  onClose,
  testId,
  closeRef,
  children,
}: {
  onClose: () => void;
  testId?: string;
  closeRef?: Ref<HTMLButtonElement>;
  children?: ReactNode;
}) {
  return (
    <div className="dialog-actions">
      {children}
      <button
        type="button"
        ref={closeRef}
        className="primary"
        data-testid={testId}
        onClick={onClose}
      >
        Close
      </button>
    </div>
  );
}

/**
 * The last row of a form dialog: what else it says (`children`, e.g. the keys), the way out
 * (Cancel, or Close where nothing is lost), then the submit button, primary, so Enter submits.
 * While `busy` the submit button says `busyText` and is off; `disabled` says the form cannot go.
 */
export function SubmitActions({
  submitText,
  busyText,
  busy = false,
  disabled = false,
  onDismiss,
  dismissText = 'Cancel',
  form,
  testId,
  children,
}: {
  submitText: string;
  busyText?: string;
  busy?: boolean;
  disabled?: boolean;
  onDismiss: () => void;
  dismissText?: 'Cancel' | 'Close';
  /** The form's id, when the row stands outside the <form>. */
  form?: string;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <div className="dialog-actions">
      {children}
      <button type="button" onClick={onDismiss}>
        {dismissText}
      </button>
      <button
        type="submit"
        form={form}
        className="primary"
        data-testid={testId}
        disabled={busy || disabled}
      >
        {busy ? (busyText ?? submitText) : submitText}
      </button>
    </div>
  );
}
