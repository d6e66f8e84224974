import { useCallback, useEffect, useRef, useState } from 'react';

/** The page's scroller: the host pane and whatever page stands in for its list scroll in it. */
const SCROLLER = '.main-pane';

/**
 * A page of one domain (its history) shown in place of the host's domain list, and the way back.
 * The list stays mounted behind it (hidden), so its filter, sort and chips are as they were; on
 * the way back the scroller returns to where it was and the domain's row gets the focus — the
 * keyboard user is where they left. Opening the page starts it at the top (the page itself takes
 * the focus: the row that had it is hidden).
 */
export function useDomainPage<D extends { uuid: string }>() {
  const [shown, setShown] = useState<D>();
  const from = useRef<{ uuid: string; scrollTop: number }>(undefined);

  const open = useCallback((domain: D) => {
    const scroller = document.querySelector<HTMLElement>(SCROLLER);
    from.current = { uuid: domain.uuid, scrollTop: scroller?.scrollTop ?? 0 };
    setShown(domain);
  }, []);
  const back = useCallback(() => setShown(undefined), []);

  useEffect(() => {
    const scroller = document.querySelector<HTMLElement>(SCROLLER);
    if (shown) {
      scroller?.scrollTo(0, 0);
      return;
    }
    const was = from.current;
    if (!was) return;
    from.current = undefined;
    if (scroller) scroller.scrollTop = was.scrollTop;
    // The list draws only the rows in sight, and it draws them again once it is visible: the
    // row may take a frame or two to be there.
    let frame = 0;
    const focusRow = (tries: number) => {
      const row = document.querySelector<HTMLElement>(
        `tr.domain-row[data-uuid="${CSS.escape(was.uuid)}"]`,
      );
      if (row) row.focus();
      else if (tries > 0) frame = requestAnimationFrame(() => focusRow(tries - 1));
    };
    focusRow(10);
    return () => cancelAnimationFrame(frame);
  }, [shown]);

  return { shown, open, back };
}
