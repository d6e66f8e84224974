import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRefreshScheduler } from '../../renderer/domains/refresh-scheduler';
import { readinessSummary } from '../../renderer/domains/readiness-view';
import { filterDomains, sortDomains, stateSummary } from '../../renderer/domains/domain-list-view';
import type { Domain } from '../../shared/domains';

const d = (name: string, state: Domain['state'], level?: string, label?: string) => ({
  uuid: `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`,
  name,
  state,
  ...(level ? { readiness: { level: level as never, label: label ?? level } } : {}),
});

describe('refresh scheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('folds a burst into one refresh after a quiet period', () => {
    const refresh = vi.fn();
    const s = createRefreshScheduler(refresh, { quietMs: 500, maxWaitMs: 3000 });
    s.schedule('h');
    vi.advanceTimersByTime(300);
    s.schedule('h');
    vi.advanceTimersByTime(300);
    expect(refresh).not.toHaveBeenCalled();
    vi.advanceTimersByTime(250);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('never waits past maxWait while events keep coming, and keeps hosts apart', () => {
    const refresh = vi.fn();
    const s = createRefreshScheduler(refresh, { quietMs: 500, maxWaitMs: 2000 });
    for (let t = 0; t < 2500; t += 200) {
      s.schedule('a');
      vi.advanceTimersByTime(200);
    }
    expect(refresh.mock.calls.filter(([h]) => h === 'a').length).toBeGreaterThanOrEqual(1);
    s.schedule('b');
    vi.advanceTimersByTime(600);
    expect(refresh).toHaveBeenCalledWith('b');
    s.dispose();
  });
});

describe('domain list views', () => {
  it('summarizes readiness in ladder order, ready first', () => {
    expect(
      readinessSummary(['no-channel', 'ready', 'frozen', 'ready', 'agent-not-connected']),
    ).toBe('2 ready · 1 frozen · 1 agent not started · 1 no agent channel');
    expect(readinessSummary([])).toBe('');
  });

  it('filters by every word across name, state and readiness words', () => {
    const list = [
      d('db-1', 'paused', 'paused', 'Paused'),
      d('db-2', 'running', 'agent-not-responding', 'Agent not responding'),
      d('web-1', 'running', 'ready', 'Ready'),
    ];
    expect(filterDomains(list, 'db paused').map((x) => x.name)).toEqual(['db-1']);
    expect(filterDomains(list, 'NOT responding').map((x) => x.name)).toEqual(['db-2']);
    expect(filterDomains(list, '  ').length).toBe(3);
  });

  it('sorts names the way people count and summarizes states', () => {
    expect(sortDomains([d('web-10', 'running'), d('web-2', 'running')]).map((x) => x.name)).toEqual(
      ['web-2', 'web-10'],
    );
    expect(stateSummary([d('a', 'running'), d('b', 'running'), d('c', 'shut off')])).toBe(
      '2 running · 1 shut off',
    );
  });
});
