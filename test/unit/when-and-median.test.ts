import { describe, expect, it } from 'vitest';
import { medianOf } from '../../renderer/history/history-view';
import { formatWhen } from '../../renderer/operations/operation-format';

describe('when an operation or a snapshot was', () => {
  const today = new Date(2026, 11, 1, 12, 0, 0);
  const at = (month: number, day: number, h: number) =>
    new Date(2026, month, day, h, 5, 9).toISOString();

  it('says today, yesterday, or the date, before the time', () => {
    expect(formatWhen(at(11, 1, 8), today)).toMatch(/^today 08:05:09$/);
    expect(formatWhen(at(10, 30, 23), today)).toMatch(/^yesterday 23:05:09$/);
    expect(formatWhen(at(10, 28, 8), today)).not.toMatch(/today|yesterday/);
    expect(formatWhen(undefined, today)).toBe('unknown');
  });
});

describe('the window chart’s median line', () => {
  it('is the middle window, or the mean of the two middle ones', () => {
    expect(medianOf([30, 10, 20])).toBe(20);
    expect(medianOf([40, 10, 20, 30])).toBe(25);
    expect(medianOf([])).toBe(0);
  });
});
