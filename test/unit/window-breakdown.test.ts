import { describe, expect, it } from 'vitest';
import { windowBreakdown } from '../../renderer/operations/window-breakdown';
import type { PhaseRun } from '../../shared/snapshot';

const run = (phase: PhaseRun['phase'], ms: number | null): PhaseRun => ({
  phase,
  status: 'done',
  ms,
});

describe('the window split into its phases', () => {
  it('adds freeze, cut and thaw up to the window, within the journal’s 10 ms steps', () => {
    const text = windowBreakdown([run('freeze', 20), run('cut', 60), run('thaw', 10)], 93.4);
    expect(text).toBe('freeze 20 ms + cut 60 ms + thaw 10 ms = the 93.4 ms window.');
  });

  it('says where the rest went when the phases add up to less', () => {
    const text = windowBreakdown([run('freeze', 20), run('cut', 60), run('thaw', 10)], 150);
    expect(text).toContain(
      '= 90 ms; the other 60 ms of the 150.0 ms window went between the steps',
    );
  });

  it('says why not when the phases add up to more: they are journalled after the thaw', () => {
    const text = windowBreakdown([run('freeze', 140), run('cut', 90), run('thaw', 40)], 123.9);
    expect(text).toContain('= 270 ms, more than the 123.9 ms window');
    expect(text).toContain('only after the thaw');
  });

  it('says why not when a phase was not timed', () => {
    const text = windowBreakdown([run('freeze', 20), run('cut', null), run('thaw', 10)], 150);
    expect(text).toContain('cut not timed by the host, so the phases cannot be added up');
  });
});
