import { useEffect, useRef } from 'react';
import type { MenuCommand } from '../../shared/events';

/**
 * The application menu's actions inside the page (the Electron shell sends them as `menu`
 * events; app/event-hub.ts hands them here). Whoever can carry out an action right now offers
 * a handler; the most recent offer wins, so the selected domain's row answers "Consistent
 * snapshot" and the app shell answers "Add host".
 */
const offers = new Map<MenuCommand, (() => void)[]>();

/** Carries out `command` if anything offers to; false when nothing does (no domain selected). */
export function runMenuCommand(command: MenuCommand): boolean {
  const handler = offers.get(command)?.at(-1);
  if (!handler) return false;
  handler();
  return true;
}

/** Offers `handler` for `command` while mounted; `undefined` withdraws the offer. */
export function useMenuCommand(command: MenuCommand, handler: (() => void) | undefined): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const offered = handler !== undefined;
  useEffect(() => {
    if (!offered) return;
    const run = () => latest.current?.();
    offers.set(command, [...(offers.get(command) ?? []), run]);
    return () => {
      offers.set(
        command,
        (offers.get(command) ?? []).filter((h) => h !== run),
      );
    };
  }, [command, offered]);
}
