import { describe, expect, it } from 'vitest';
import { filterByLevels, sortDomainsBy } from '../../renderer/domains/domain-list-view';
import { primaryAction } from '../../renderer/domains/primary-action';
import { levelCounts, readinessSummary } from '../../renderer/domains/readiness-view';
import { readThemeChoice, resolveTheme } from '../../renderer/theme/theme';
import type { Domain } from '../../shared/domains';
import { READINESS_LEVELS, type ReadinessLevel } from '../../shared/readiness';

const d = (name: string, state: Domain['state'], level: ReadinessLevel) => ({
  uuid: `uuid-${name}`,
  name,
  state,
  readiness: { level, label: level },
});

const list = [
  d('web-10', 'running', 'ready'),
  d('web-2', 'running', 'no-channel'),
  d('db', 'paused', 'paused'),
  d('mail', 'running', 'frozen'),
  d('old', 'shut off', 'not-running'),
  d('app', 'running', 'ready'),
];
const names = (xs: { name: string }[]) => xs.map((x) => x.name);

describe('domain list: sorting', () => {
  it('sorts by name the way people count, and the other way round', () => {
    expect(names(sortDomainsBy(list, { key: 'name', descending: false }))).toEqual([
      'app',
      'db',
      'mail',
      'old',
      'web-2',
      'web-10',
    ]);
    expect(names(sortDomainsBy(list, { key: 'name', descending: true }))[0]).toBe('web-10');
  });

  it('sorts by readiness from the most urgent, ties by name, and never reverses the ties', () => {
    const up = names(sortDomainsBy(list, { key: 'readiness', descending: false }));
    expect(up).toEqual(['mail', 'web-2', 'app', 'web-10', 'db', 'old']);
    const down = names(sortDomainsBy(list, { key: 'readiness', descending: true }));
    expect(down).toEqual(['old', 'db', 'app', 'web-10', 'web-2', 'mail']);
  });

  it('sorts by state, ties by name', () => {
    expect(names(sortDomainsBy(list, { key: 'state', descending: false }))).toEqual([
      'db',
      'app',
      'mail',
      'web-2',
      'web-10',
      'old',
    ]);
  });
});

describe('domain list: readiness chips', () => {
  it('keeps only the chosen rungs, or everything when none is chosen', () => {
    expect(filterByLevels(list, new Set())).toHaveLength(list.length);
    expect(names(filterByLevels(list, new Set<ReadinessLevel>(['ready', 'paused'])))).toEqual([
      'web-10',
      'db',
      'app',
    ]);
  });

  it('counts each rung present, ready first, in the order of the summary line', () => {
    const levels = list.map((x) => x.readiness.level);
    const counts = levelCounts(levels);
    expect(counts.map((c) => [c.level, c.count])).toEqual([
      ['ready', 2],
      ['frozen', 1],
      ['no-channel', 1],
      ['paused', 1],
      ['not-running', 1],
    ]);
    expect(readinessSummary(levels)).toBe(counts.map((c) => `${c.count} ${c.words}`).join(' · '));
  });
});

describe('a row’s main action', () => {
  it('is the consistent snapshot only when the agent can freeze', () => {
    const strong = READINESS_LEVELS.filter((l) => primaryAction(l).strong);
    expect(strong).toEqual(['ready']);
    expect(primaryAction('ready')).toEqual({ text: 'Consistent snapshot', strong: true });
  });

  it('says crash-consistent, and starts the dialog so, where the agent cannot freeze', () => {
    for (const level of [
      'no-channel',
      'agent-not-connected',
      'agent-not-responding',
      'freeze-unsupported',
    ] as const) {
      expect(primaryAction(level)).toMatchObject({
        text: 'Crash-consistent snapshot…',
        policy: 'allow-crash-consistent',
      });
      expect(primaryAction(level).blocked).toBeUndefined();
    }
  });

  it('needs no freeze for a guest that is not running or paused, and is off while frozen', () => {
    expect(primaryAction('not-running').text).toBe('Offline snapshot…');
    expect(primaryAction('paused').text).toBe('Snapshot while paused…');
    expect(primaryAction('not-running').policy).toBeUndefined();
    const frozen = primaryAction('frozen');
    expect(frozen.blocked).toMatch(/thaw/);
    expect(frozen.text).toMatch(/thaw first/);
  });
});

describe('theme', () => {
  it('follows the system unless light or dark is chosen', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('reads an unknown or missing stored choice as "system"', () => {
    expect(readThemeChoice({ getItem: () => 'dark' })).toBe('dark');
    expect(readThemeChoice({ getItem: () => 'sepia' })).toBe('system');
    expect(readThemeChoice({ getItem: () => null })).toBe('system');
    expect(readThemeChoice(undefined)).toBe('system');
  });
});
