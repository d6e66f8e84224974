import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WindowStateSchema, type WindowState } from './window-state';

export const WINDOW_STATE_FILE = 'window-state.json';

/** The window's last place, beside the settings; a missing or damaged file means "none". */
export async function loadWindowState(dir: string): Promise<WindowState | undefined> {
  try {
    const parsed = WindowStateSchema.safeParse(
      JSON.parse(await readFile(join(dir, WINDOW_STATE_FILE), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function saveWindowState(dir: string, state: WindowState): Promise<void> {
  const valid = WindowStateSchema.safeParse(state);
  // A window squeezed below the minimum (or a bogus size from a dying display) is not kept.
  if (!valid.success) return;
  const path = join(dir, WINDOW_STATE_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(valid.data) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}
