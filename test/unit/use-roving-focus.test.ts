import type { KeyboardEvent } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { rowKeys } from '../../renderer/ui/use-roving-focus';

/** A key press as React hands it to a row's onKeyDown; `onButton`: from a button inside the row. */
function press(key: string, more: Partial<KeyboardEvent<HTMLElement>> = {}, onButton = false) {
  const row = {};
  const e = {
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    repeat: false,
    currentTarget: row,
    target: onButton ? {} : row,
    preventDefault: vi.fn(),
    ...more,
  };
  return e as unknown as KeyboardEvent<HTMLElement> & { preventDefault: ReturnType<typeof vi.fn> };
}

describe('row keys', () => {
  it('runs the action the key names, in lower case, and keeps the key from the browser', () => {
    const doctor = vi.fn();
    const select = vi.fn();
    const onKeyDown = rowKeys({ d: doctor, enter: select });
    const d = press('D');
    onKeyDown(d);
    onKeyDown(press('Enter'));
    expect(doctor).toHaveBeenCalledTimes(1);
    expect(select).toHaveBeenCalledTimes(1);
    expect(d.preventDefault).toHaveBeenCalled();
  });

  it('leaves modified, repeated and unknown keys, and actions that are off, to the browser', () => {
    const action = vi.fn();
    const onKeyDown = rowKeys({ r: action, delete: false });
    for (const e of [
      press('r', { ctrlKey: true }),
      press('r', { metaKey: true }),
      press('r', { altKey: true }),
      press('r', { repeat: true }),
      press('x'),
      press('Delete'),
    ]) {
      onKeyDown(e);
      expect(e.preventDefault).not.toHaveBeenCalled();
    }
    expect(action).not.toHaveBeenCalled();
  });

  it('ownOnly: a key pressed on a button inside the row is the button’s', () => {
    const action = vi.fn();
    rowKeys({ enter: action }, { ownOnly: true })(press('Enter', {}, true));
    expect(action).not.toHaveBeenCalled();
    rowKeys({ enter: action }, { ownOnly: true })(press('Enter'));
    expect(action).toHaveBeenCalledTimes(1);
  });
});
