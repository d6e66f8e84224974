import {
  useEffect,
  useEffectEvent,
  useId,
  useRef,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

/**
 * A domain's history page in place of the host's domain list, the same whichever way it opens
 * (history-page.tsx; domain-history.tsx when the domain's host cannot be told): headed by Back to
 * the domains and the title. Back has the focus on open (the row that opened the page is hidden
 * with the list); Escape anywhere on the page that a field or a dialog did not take goes back
 * too. `onKeyDown` gets the page's other keys.
 */
export function HistoryPageFrame({
  domainName,
  onBack,
  onKeyDown,
  tools,
  children,
}: {
  domainName: string;
  onBack: () => void;
  onKeyDown?: (e: KeyboardEvent<HTMLElement>) => void;
  /** The header's tools, after the title. */
  tools?: ReactNode;
  children: ReactNode;
}) {
  const titleId = useId();
  const backRef = useRef<HTMLButtonElement>(null);

  useEffect(() => backRef.current?.focus(), []);

  // A click on the page's text leaves the focus on <body>, outside the page's own key handler:
  // Escape there still goes back, unless a dialog is open (its Escape is its own).
  const goBack = useEffectEvent(() => onBack());
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.target !== document.body) return;
      if (document.querySelector('dialog[open]')) return;
      goBack();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  function onPageKeyDown(e: KeyboardEvent<HTMLElement>) {
    // A dialog opened from a panel of the page (export, restore test) is in the page's React
    // tree, so its keys bubble here: its Escape is its own. A search field that cleared itself
    // on Escape marked the event handled.
    const inDialog = e.target instanceof Element && e.target.closest('dialog') !== null;
    if (e.key === 'Escape' && !inDialog && !e.defaultPrevented) {
      e.preventDefault();
      onBack();
      return;
    }
    onKeyDown?.(e);
  }

  return (
    <section
      className="history-page"
      aria-labelledby={titleId}
      data-testid="history-dialog"
      onKeyDown={onPageKeyDown}
    >
      <header className="history-page-head">
        <button
          type="button"
          className="small"
          ref={backRef}
          data-testid="history-close"
          aria-keyshortcuts="Escape"
          onClick={onBack}
        >
          ← Back to the domains
        </button>
        <h2 id={titleId} className="history-page-title">
          Snapshot history <span className="history-page-domain">{domainName}</span>
        </h2>
        {tools}
      </header>
      {children}
    </section>
  );
}
