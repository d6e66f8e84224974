import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWindow, fakeElectronState } from './fake-electron';
import { EVENT_CHANNEL } from '../../shared/methods';
import type { AppEvent } from '../../shared/events';
import {
  DEFAULT_WINDOW_STATE,
  MIN_HEIGHT,
  MIN_WIDTH,
  placeWindow,
} from '../../electron/shell/window-state';
import {
  WINDOW_STATE_FILE,
  loadWindowState,
  saveWindowState,
} from '../../electron/shell/window-state-file';
import { appMenuTemplate } from '../../electron/shell/app-menu';
import { aboutText } from '../../electron/shell/about';
import { createQuitGuard, quitQuestion } from '../../electron/shell/quit-guard';
import { createRunningOperations } from '../../electron/shell/running-operations';
import { operationNotice } from '../../electron/shell/operation-notice';

/**
 * The desktop behaviour of the Electron shell, with `electron` replaced by a recording fake
 * (fake-electron.ts): single instance, the window's place, the menu, About, the quit question.
 */
vi.mock('electron', async () => (await import('./fake-electron')).fakeElectronState().module);
const { state } = fakeElectronState();

/** What the tests read of a menu item (the `electron` types stay in electron/shell/). */
interface MenuItemConstructorOptions {
  label?: string;
  role?: string;
  accelerator?: string;
  click?: unknown;
  submenu?: unknown;
}

const screen = { x: 0, y: 0, width: 1920, height: 1080 };
const leftScreen = { x: -1280, y: 0, width: 1280, height: 1024 };

describe('where the window opens', () => {
  it('opens at the saved place and size when that is on a screen', () => {
    const saved = { x: 200, y: 100, width: 1000, height: 700, maximized: false };
    expect(placeWindow(saved, [screen])).toEqual(saved);
    const onLeft = { x: -1000, y: 50, width: 900, height: 600, maximized: true };
    expect(placeWindow(onLeft, [screen, leftScreen])).toEqual(onLeft);
  });

  it('opens centred on the primary screen when the saved screen is gone', () => {
    const onLeft = { x: -1000, y: 50, width: 900, height: 600, maximized: false };
    expect(placeWindow(onLeft, [screen])).toEqual({ width: 900, height: 600, maximized: false });
    // Only a corner showing is not enough to grab the title bar.
    const corner = { x: 1900, y: 1070, width: 900, height: 600, maximized: false };
    expect(placeWindow(corner, [screen])).toEqual({ width: 900, height: 600, maximized: false });
  });

  it('moves a window that hangs off the edge back in and shrinks one larger than the screen', () => {
    const hanging = { x: 1500, y: 900, width: 1000, height: 700, maximized: false };
    expect(placeWindow(hanging, [screen])).toEqual({
      x: 920,
      y: 380,
      width: 1000,
      height: 700,
      maximized: false,
    });
    const huge = { x: 0, y: 0, width: 4000, height: 3000, maximized: false };
    expect(placeWindow(huge, [screen])).toEqual({
      x: 0,
      y: 0,
      width: 1920,
      height: 1080,
      maximized: false,
    });
    const small = { width: 900, height: 700, maximized: false };
    expect(placeWindow(small, [{ x: 0, y: 0, width: 800, height: 600 }])).toMatchObject({
      width: 800,
      height: 600,
    });
  });

  it('starts from the default without a saved state', () => {
    expect(placeWindow(undefined, [screen])).toEqual(DEFAULT_WINDOW_STATE);
    expect(placeWindow(undefined, [])).toEqual(DEFAULT_WINDOW_STATE);
  });
});

describe('the window state file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'quiesce-window-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a valid state and ignores a damaged or undersized one', async () => {
    expect(await loadWindowState(dir)).toBeUndefined();
    const s = { x: 10, y: 20, width: 1000, height: 700, maximized: true };
    await saveWindowState(dir, s);
    expect(await loadWindowState(dir)).toEqual(s);
    await saveWindowState(dir, { ...s, width: MIN_WIDTH - 1 });
    expect(await loadWindowState(dir)).toEqual(s);
    writeFileSync(join(dir, WINDOW_STATE_FILE), '{"x": "left"}');
    expect(await loadWindowState(dir)).toBeUndefined();
    writeFileSync(join(dir, WINDOW_STATE_FILE), 'not json');
    expect(await loadWindowState(dir)).toBeUndefined();
  });
});

describe('the shell as it starts', () => {
  let dir: string;
  beforeEach(() => {
    state.reset();
    state.lockGranted = true;
    dir = mkdtempSync(join(tmpdir(), 'quiesce-desktop-'));
    state.userData = dir;
    state.displays = [{ workArea: screen }];
    vi.stubEnv('QUIESCE_DATA_DIR', '');
    vi.stubEnv('QUIESCE_KNOWN_HOSTS', join(dir, 'known_hosts'));
    vi.stubEnv('QUIESCE_AUTOCONNECT', '');
  });
  afterEach(() => {
    state.fireApp('before-quit');
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startShell(): Promise<FakeWindow> {
    vi.resetModules();
    await import('../../electron/shell/main');
    await vi.waitFor(() => expect(FakeWindow.all).toHaveLength(1));
    return FakeWindow.all[0]!;
  }

  it('runs once: a second launch quits and the first comes to the front', async () => {
    state.lockGranted = false;
    vi.resetModules();
    await import('../../electron/shell/main');
    await new Promise((r) => setTimeout(r, 50));
    expect(state.quit).toHaveBeenCalled();
    expect(FakeWindow.all).toEqual([]);
    expect(state.appListeners.has('second-instance')).toBe(false);

    state.reset();
    state.lockGranted = true;
    const win = await startShell();
    expect(state.quit).not.toHaveBeenCalled();
    win.minimized = true;
    win.calls.length = 0;
    state.fireApp('second-instance', ['quiesce'], '/');
    expect(win.calls).toEqual(['restore', 'show', 'focus']);
  });

  it('opens the window where it was closed last time, and remembers where it is closed', async () => {
    writeFileSync(
      join(dir, WINDOW_STATE_FILE),
      JSON.stringify({ x: 300, y: 200, width: 1100, height: 750, maximized: true }),
    );
    const win = await startShell();
    expect(win.options).toMatchObject({ x: 300, y: 200, width: 1100, height: 750 });
    expect(win.options).toMatchObject({ minWidth: MIN_WIDTH, minHeight: MIN_HEIGHT });
    expect(win.maximized).toBe(true);

    win.bounds = { x: 40, y: 30, width: 1300, height: 900 };
    win.maximized = false;
    expect(win.fire('close')).toBe(false);
    await vi.waitFor(() =>
      expect(JSON.parse(readFileSync(join(dir, WINDOW_STATE_FILE), 'utf8'))).toEqual({
        x: 40,
        y: 30,
        width: 1300,
        height: 900,
        maximized: false,
      }),
    );
  });

  it('opens on the screen there is when the saved one was unplugged', async () => {
    writeFileSync(
      join(dir, WINDOW_STATE_FILE),
      JSON.stringify({ x: 2500, y: 200, width: 1100, height: 750, maximized: false }),
    );
    const win = await startShell();
    expect(win.options.x).toBeUndefined();
    expect(win.options).toMatchObject({ width: 1100, height: 750 });
  });

  it('sets the application menu; its actions reach the focused window over the event channel', async () => {
    const win = await startShell();
    const menu = state.menuTemplate as MenuItemConstructorOptions[];
    const items = flatten(menu);
    const roles = items.map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(
      expect.arrayContaining(['editMenu', 'windowMenu', 'quit', 'zoomIn', 'togglefullscreen']),
    );
    const byLabel = (label: string) => items.find((i) => i.label === label)!;
    FakeWindow.focused = win;
    const expected: [string, string, string][] = [
      ['Refresh', 'CmdOrCtrl+R', 'refresh'],
      ['Add Host…', 'CmdOrCtrl+N', 'add-host'],
      ['Consistent Snapshot…', 'CmdOrCtrl+Shift+S', 'snapshot'],
      ['History…', 'CmdOrCtrl+Shift+H', 'history'],
      ['Agent Doctor…', 'CmdOrCtrl+Shift+D', 'doctor'],
      ['Settings…', 'CmdOrCtrl+,', 'settings'],
    ];
    for (const [label, accelerator, command] of expected) {
      const item = byLabel(label);
      expect(item.accelerator, label).toBe(accelerator);
      win.sent.length = 0;
      (item.click as () => void)();
      expect(win.sent, label).toEqual([
        { channel: EVENT_CHANNEL, payload: { type: 'menu', command } },
      ]);
    }
    // Every shortcut is its own.
    const accelerators = items.map((i) => i.accelerator).filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);

    (byLabel('About Quiesce').click as () => void)();
    expect(state.messageBoxes.at(-1)!.options).toMatchObject({
      title: 'About Quiesce',
      message: 'Quiesce 1.2.3',
    });
  });

  it('lets the app quit at once when nothing runs', async () => {
    const win = await startShell();
    expect(win.fire('close')).toBe(false);
    expect(state.fireApp('before-quit')).toBe(false);
    expect(state.messageBoxes).toEqual([]);
  });
});

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [
    i,
    ...(Array.isArray(i.submenu) ? flatten(i.submenu as MenuItemConstructorOptions[]) : []),
  ]);
}

describe('the application menu on each platform', () => {
  const actions = { command: vi.fn(), about: vi.fn() };
  it('puts About, Settings and Quit in the app menu on macOS, in File and Help elsewhere', () => {
    const mac = appMenuTemplate(actions, {
      mac: true,
      devTools: false,
    }) as MenuItemConstructorOptions[];
    expect(mac[0]!.label).toBe('Quiesce');
    const macItems = flatten(mac);
    expect(macItems.filter((i) => i.label === 'Settings…')).toHaveLength(1);
    expect(macItems.map((i) => i.role)).toEqual(
      expect.arrayContaining(['hide', 'services', 'close']),
    );
    expect(macItems.map((i) => i.role)).not.toContain('toggleDevTools');
    const linux = flatten(
      appMenuTemplate(actions, { mac: false, devTools: true }) as MenuItemConstructorOptions[],
    );
    expect(linux.map((i) => i.role)).toEqual(expect.arrayContaining(['quit', 'toggleDevTools']));
    expect(linux.map((i) => i.role)).not.toContain('hide');
    expect(linux.filter((i) => i.label === 'About Quiesce')).toHaveLength(1);
  });

  it('the About box says the version and what it runs on', () => {
    const text = aboutText('0.1.0', { electron: '38.8.6', chrome: '140', node: '22.20.0' });
    expect(text.message).toBe('Quiesce 0.1.0');
    expect(text.detail).toContain('Electron 38.8.6 · Chromium 140 · Node.js 22.20.0');
  });
});

describe('quitting while an operation runs', () => {
  const opEvent = (opId: string, event: unknown): AppEvent =>
    ({ type: 'operation', hostId: 'h', opId, event }) as AppEvent;
  const started = {
    kind: 'started',
    operation: 'snapshot',
    uuid: 'u',
    snapshot: 'nightly-1',
    policy: 'require',
    maxFreezeS: 15,
    workstation: 'w',
    user: 'u',
    at: 1,
  };

  it('knows which operations run from their events until their end line', () => {
    const running = createRunningOperations();
    running.observe(opEvent('a', started));
    running.observe(opEvent('a', { kind: 'frozen', filesystems: 2, at: 2 }));
    running.observe(opEvent('b', { kind: 'phase', phase: 'cut', status: 'running', at: 2 }));
    running.observe({ type: 'connection', hostId: 'h', state: 'connected' });
    expect(running.list()).toEqual([
      { hostId: 'h', opId: 'a', operation: 'snapshot', snapshot: 'nightly-1', maxFreezeS: 15 },
      { hostId: 'h', opId: 'b' },
    ]);
    running.observe(opEvent('a', { kind: 'end', at: 3 }));
    running.observe(opEvent('b', { kind: 'end', at: 3 }));
    expect(running.list()).toEqual([]);
  });

  it('says the host keeps the guest safe (the watchdog) and that the app will reattach', () => {
    const q = quitQuestion([{ hostId: 'h', opId: 'a', snapshot: 'nightly-1', maxFreezeS: 15 }]);
    expect(q.message).toBe('Quit while the snapshot “nightly-1” is running?');
    expect(q.detail).toContain('watchdog thaws the guest after 15 s at most');
    expect(q.detail).toContain('keeps the guest safe');
    expect(q.detail).toContain('reattaches to the operation');
    expect(q.buttons).toEqual(['Quit', 'Keep Quiesce open']);
    const two = quitQuestion([
      { hostId: 'h', opId: 'a' },
      { hostId: 'h', opId: 'b', operation: 'test-freeze' },
    ]);
    expect(two.message).toBe('Quit while 2 operations are running?');
    expect(two.detail).toContain('after its maximum freeze');
  });

  it('holds the quit while it asks, quits on yes (once), stays on no', async () => {
    const running = createRunningOperations();
    running.observe(opEvent('a', started));
    let answer = false;
    const ask = vi.fn(async () => answer);
    const quit = vi.fn();
    const guard = createQuitGuard({ running: running.list, ask, quit });
    const event = () => ({ preventDefault: vi.fn() });

    const first = event();
    guard.intercept(first);
    expect(first.preventDefault).toHaveBeenCalled();
    // A second close while the question is open is held too, without a second question.
    guard.intercept(event());
    await vi.waitFor(() => expect(ask).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 0));
    expect(quit).not.toHaveBeenCalled();

    answer = true;
    guard.intercept(event());
    await vi.waitFor(() => expect(quit).toHaveBeenCalledTimes(1));
    // The quit that follows the yes goes through without asking again.
    const after = event();
    guard.intercept(after);
    expect(after.preventDefault).not.toHaveBeenCalled();
    expect(ask).toHaveBeenCalledTimes(2);
  });

  it('never asks when nothing runs', () => {
    const ask = vi.fn(async () => true);
    const guard = createQuitGuard({ running: () => [], ask, quit: vi.fn() });
    const e = { preventDefault: vi.fn() };
    guard.intercept(e);
    expect(e.preventDefault).not.toHaveBeenCalled();
    expect(ask).not.toHaveBeenCalled();
  });
});

describe('the notification when an operation ends', () => {
  const result = (event: Record<string, unknown>): AppEvent =>
    ({
      type: 'operation',
      hostId: 'h',
      opId: 'o',
      event: { kind: 'result', at: 1, ...event },
    }) as AppEvent;
  it('says the label the host confirmed, or why it failed', () => {
    expect(operationNotice(result({ ok: true, label: 'quiesced', filesystems: 2 }))).toEqual({
      title: 'Snapshot taken',
      body: 'Labelled quiesced (2 filesystems).',
    });
    expect(
      operationNotice(
        result({ ok: true, label: 'crash-consistent', reason: 'agent not responding' }),
      ),
    ).toEqual({
      title: 'Snapshot taken',
      body: 'Labelled crash-consistent: agent not responding.',
    });
    expect(operationNotice(result({ ok: false, message: 'The freeze failed.' }))).toEqual({
      title: 'Snapshot failed',
      body: 'The freeze failed.',
    });
    expect(
      operationNotice({ type: 'connection', hostId: 'h', state: 'connected' }),
    ).toBeUndefined();
  });
});
