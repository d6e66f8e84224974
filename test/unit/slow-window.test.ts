import { describe, expect, it } from 'vitest';
import { medianOf, slowWindow } from '../../shared/window-median';
import { slowWindowNote } from '../../renderer/snapshot/slow-window-note';

describe('slowWindow (3× the median and +500 ms, 5 earlier windows at least)', () => {
  it('is the median for an odd count, the mean of the middle two for an even one', () => {
    expect(medianOf([300, 100, 200])).toBe(200);
    expect(medianOf([400, 100, 200, 300])).toBe(250);
  });

  it('needs 5 earlier windows', () => {
    expect(slowWindow(10_000, [100, 100, 100, 100])).toBeUndefined();
    expect(slowWindow(10_000, [100, 100, 100, 100, 100])).toEqual({ medianMs: 100, samples: 5 });
  });

  it('takes the larger of 3× and +500 ms as the limit, and only above it', () => {
    // Median 100 ms: 3× is 300, +500 is 600 — the limit is 600.
    expect(slowWindow(600, [100, 100, 100, 100, 100])).toBeUndefined();
    expect(slowWindow(601, [100, 100, 100, 100, 100])).toBeDefined();
    // Median 1 s: 3× is 3 s, +500 is 1.5 s — the limit is 3 s.
    expect(slowWindow(3000, [1000, 1000, 1000, 1000, 1000])).toBeUndefined();
    expect(slowWindow(3001, [1000, 1000, 1000, 1000, 1000])).toBeDefined();
  });
});

describe('slowWindowNote (the snapshot dialog’s flag)', () => {
  const op = (opId: string, windowMs: number | null, more: object = {}) => ({
    opId,
    operation: 'snapshot' as const,
    uuid: 'u-1',
    state: 'succeeded' as const,
    windowMs,
    ...more,
  });
  const usual = [80, 90, 100, 110, 120].map((ms, i) => op(`old-${i}`, ms));

  it('flags a window far above the domain’s median, saying both', () => {
    const note = slowWindowNote({ opId: 'now', uuid: 'u-1', windowMs: 2300 }, [
      op('now', 2300),
      ...usual,
    ]);
    expect(note).toMatch(/held for 2,300 ms, far above this domain’s median of 100\.0 ms/);
    expect(note).toContain('over its 5 other snapshots');
  });

  it('says nothing for a usual window', () => {
    expect(slowWindowNote({ opId: 'now', uuid: 'u-1', windowMs: 130 }, usual)).toBeUndefined();
  });

  it('compares only with the same domain’s other succeeded snapshots with a window', () => {
    const others = [
      op('x1', 100, { uuid: 'u-2' }),
      op('x2', 100, { state: 'failed' }),
      op('x3', 100, { operation: 'test-freeze' }),
      op('x4', null),
      op('now', 2300),
    ];
    // Four of the domain's own: too few to say what usual is, whatever else is listed.
    expect(
      slowWindowNote({ opId: 'now', uuid: 'u-1', windowMs: 2300 }, [...usual.slice(1), ...others]),
    ).toBeUndefined();
  });
});
