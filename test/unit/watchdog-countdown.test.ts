import { describe, expect, it } from 'vitest';
import { operationUuid, watchdogDeadline } from '../../renderer/operations/watchdog-countdown';
import type { OperationEvent } from '../../shared/snapshot';

const started: OperationEvent = {
  kind: 'started',
  operation: 'snapshot',
  uuid: 'u-1',
  snapshot: 's',
  policy: 'require',
  maxFreezeS: 10,
  workstation: 'w',
  user: 'u',
  at: 1000,
};
const armed: OperationEvent = { kind: 'phase', phase: 'arm', status: 'running', at: 5000 };
const frozen: OperationEvent = { kind: 'frozen', filesystems: 1, at: 5300 };

describe('watchdog countdown', () => {
  it('counts the maximum freeze from the arming, not from the freeze', () => {
    // Seen frozen here at 50 000: the watchdog sleeps 10 s from 300 ms before the freeze.
    expect(watchdogDeadline([started, armed, frozen], 50_000)).toBe(50_000 + 10_000 - 300);
  });

  it('is unknown before the freeze, and counts from the freeze when the arming is not seen', () => {
    expect(watchdogDeadline([started, armed], 50_000)).toBeUndefined();
    expect(watchdogDeadline([started, armed, frozen], undefined)).toBeUndefined();
    expect(watchdogDeadline([started, frozen], 50_000)).toBe(60_000);
    expect(watchdogDeadline([armed, frozen], 50_000)).toBeUndefined();
  });

  it('knows the domain from the started line', () => {
    expect(operationUuid([started, frozen])).toBe('u-1');
    expect(operationUuid([frozen])).toBeUndefined();
  });
});
