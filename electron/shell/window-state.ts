import { z } from 'zod';

/**
 * Where the window was and how big, kept between runs (window-state-file.ts stores it). Pure:
 * the shell hands in the screens it has now, so a window saved on a monitor that has since
 * gone comes back where it can be seen.
 */
export const MIN_WIDTH = 720;
export const MIN_HEIGHT = 480;
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1200, height: 800, maximized: false };

export const WindowStateSchema = z.object({
  x: z.number().int().min(-100_000).max(100_000).optional(),
  y: z.number().int().min(-100_000).max(100_000).optional(),
  width: z.number().int().min(MIN_WIDTH).max(100_000),
  height: z.number().int().min(MIN_HEIGHT).max(100_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How much of the title bar must be on a screen for the window to count as reachable. */
const GRAB_WIDTH = 100;
const GRAB_HEIGHT = 24;

function overlap(a: Rect, b: Rect): Rect | undefined {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : undefined;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), Math.max(lo, hi));

/**
 * The state to open the window with: the saved one if its title bar can still be grabbed on
 * one of `workAreas` (the first is the primary screen), moved and shrunk to fit that screen;
 * otherwise the saved size on the primary screen, centred (no x/y: Electron centres).
 */
export function placeWindow(
  saved: WindowState | undefined,
  workAreas: readonly Rect[],
): WindowState {
  const state = saved ?? DEFAULT_WINDOW_STATE;
  const primary = workAreas[0];
  if (!primary) return state;
  const fit = (area: Rect) => ({
    width: clamp(state.width, Math.min(MIN_WIDTH, area.width), area.width),
    height: clamp(state.height, Math.min(MIN_HEIGHT, area.height), area.height),
  });
  if (state.x !== undefined && state.y !== undefined) {
    const titleBar = { x: state.x, y: state.y, width: state.width, height: GRAB_HEIGHT };
    const home = workAreas.find((area) => {
      const seen = overlap(titleBar, area);
      return (
        seen !== undefined &&
        seen.width >= Math.min(GRAB_WIDTH, state.width) &&
        seen.height >= GRAB_HEIGHT / 2
      );
    });
    if (home) {
      const size = fit(home);
      return {
        x: clamp(state.x, home.x, home.x + home.width - size.width),
        y: clamp(state.y, home.y, home.y + home.height - size.height),
        ...size,
        maximized: state.maximized,
      };
    }
  }
  return { ...fit(primary), maximized: state.maximized };
}
