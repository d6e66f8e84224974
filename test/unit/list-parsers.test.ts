import { describe, expect, it } from 'vitest';
import { parseDomstatsStates, parseUuidNameList } from '../../electron/services/virsh/list-parsers';

describe('virsh domain listing', () => {
  it('parses uuid/name lines, names with spaces included', () => {
    expect(
      parseUuidNameList(
        '6695eb01-f6a4-8304-79aa-97f2502e193f test\n0a1b2c3d-0000-4000-8000-000000000001 my vm 2\n\n',
      ),
    ).toEqual([
      { uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', name: 'test' },
      { uuid: '0a1b2c3d-0000-4000-8000-000000000001', name: 'my vm 2' },
    ]);
  });

  it('parses domstats states', () => {
    const states = parseDomstatsStates(
      "Domain: 'a'\n  state.state=1\n  state.reason=1\n\nDomain: 'b c'\n  state.state=5\n  state.reason=0\nDomain: 'p'\n  state.state=3\n",
    );
    expect(Object.fromEntries(states)).toEqual({ a: 'running', 'b c': 'shut off', p: 'paused' });
  });
});
