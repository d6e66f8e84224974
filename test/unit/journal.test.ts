import { describe, expect, it } from 'vitest';
import { parseJournal, windowMs } from '../../electron/services/snapshot/journal';
import { summarize } from '../../shared/operation-model';
import {
  launchScript,
  newOpId,
  runnerArgsText,
  type RunnerArgs,
} from '../../electron/services/snapshot/launch';
import { capturedJournal as journal } from '../support/captured-journal';

describe('operation journal', () => {
  it('summarizes a quiesced snapshot: label, window, every phase timed, disks', () => {
    const s = summarize('op', journal('clean'));
    expect(s).toMatchObject({
      operation: 'snapshot',
      state: 'succeeded',
      label: { kind: 'quiesced', filesystems: 1 },
      snapshot: 'clean',
    });
    expect(s.windowMs).toBeGreaterThan(0);
    expect(s.phases.map((p) => [p.phase, p.status])).toEqual(
      ['lock', 'preflight', 'prepare', 'arm', 'freeze', 'cut', 'thaw', 'disarm', 'verify'].map(
        (p) => [p, 'done'],
      ),
    );
    expect(s.phases.every((p) => p.ms !== null && p.ms >= 0)).toBe(true);
    expect(s.disks[0]).toMatchObject({ target: 'vda' });
    expect(s.disks[0]!.overlay).toMatch(/\.clean\.qcow2$/);
  });

  it('a thaw that timed out is a failure, never a consistent snapshot', () => {
    const s = summarize('op', journal('agenthung'));
    expect(s.state).toBe('failed');
    expect(s.label).toBeUndefined();
    expect(s.error?.message).toMatch(/NOT reported as consistent/);
    expect(s.error?.remedy).toMatch(/watchdog/);
  });

  it('a runner killed mid-freeze is "lost", with the watchdog\'s outcome', () => {
    const events = journal('runnerkilled');
    expect(summarize('op', events).state).toBe('running'); // as long as the runner might be alive
    const s = summarize('op', events, true);
    expect(s.state).toBe('lost');
    expect(s.watchdog).toMatch(/^thawed/);
    expect(s.error?.remedy).toBeTruthy();
  });

  it('refusals, crash-consistent snapshots, failed cuts and test freezes read right', () => {
    expect(summarize('op', journal('refused'))).toMatchObject({ state: 'failed', windowMs: null });
    expect(summarize('op', journal('crashok')).label).toMatchObject({
      kind: 'crash-consistent',
      reason: expect.stringMatching(/agent/),
    });
    const cut = summarize('op', journal('cutfails'));
    expect(cut.error?.message).toMatch(/“cut”.*no snapshot was taken/);
    expect(cut.phases.find((p) => p.phase === 'thaw')?.status).toBe('done');
    expect(summarize('op', journal('test-freeze'))).toMatchObject({
      operation: 'test-freeze',
      label: { kind: 'test-freeze' },
    });
  });

  it('measures the window on the fine clock, and falls back to the steady one after a clock step', () => {
    expect(
      windowMs({
        windowStartRt: 1.7e18 + 123_456_000,
        windowEndRt: 1.7e18 + 123_456_000 + 95_500_000,
        windowStartMono: 1000,
        windowEndMono: 1090,
      }),
    ).toBe(95.5);
    // The wall clock jumped an hour back inside the window: /proc/uptime's reading wins.
    expect(
      windowMs({
        windowStartRt: 1e18,
        windowEndRt: 1e18 - 3.6e12,
        windowStartMono: 1000,
        windowEndMono: 1100,
      }),
    ).toBe(100);
  });

  it('a journal line naming a phase this app does not know costs only that line', () => {
    const line = (p: string, status: string) =>
      JSON.stringify({ ev: 'phase', op: 'x', mono: 5, phase: p, status });
    expect(
      parseJournal(
        [line('freeze', 'running'), line('polish', 'done'), line('freeze', 'done')].join('\n'),
      ),
    ).toEqual([
      { kind: 'phase', phase: 'freeze', status: 'running', at: 5 },
      { kind: 'phase', phase: 'freeze', status: 'done', at: 5 },
    ]);
  });

  it('skips half-written lines', () => {
    expect(parseJournal('{"ev":"phase","op":"x","mono":1,"pha')).toEqual([]);
  });

  it('reads a busybox journal (whole seconds) on the steady clock', () => {
    expect(
      windowMs({
        windowStartRt: 1.7e18,
        windowEndRt: 1.7e18,
        windowStartMono: 1000,
        windowEndMono: 1090,
      }),
    ).toBe(90);
  });

  it('never reads a negative window when the end’s steady reading could not be taken (0)', () => {
    const raw = { windowStartRt: 1.7e18, windowStartMono: 55_252_620, windowEndMono: 0 };
    expect(windowMs({ ...raw, windowEndRt: 1.7e18 + 95_500_000 })).toBe(95.5);
    // and the wall clock stepped back as well: nothing measured is left, not a negative span
    expect(windowMs({ ...raw, windowEndRt: 1.7e18 - 3.6e12 })).toBe(0);
  });
});

describe('launch script', () => {
  const args: RunnerArgs = {
    op: newOpId(),
    uri: 'qemu:///system',
    uuid: '00000000-0000-4000-8000-000000000001',
    name: 'n',
    policy: 'require',
    maxFreezeS: 10,
    agentTimeoutS: 5,
    workstation: "ws'$(id)`x`",
    user: 'me;rm -rf /',
    holdFrozenMs: 0,
    kind: 'snapshot',
    description: "desc ]]> & <x> '$(id)'\nline two",
  };
  it('carries every value by name, as data, never as shell code', () => {
    const text = runnerArgsText(args);
    expect(text).toContain('user=me;rm -rf /\n');
    expect(text).toContain(`description=${Buffer.from(args.description).toString('base64')}\n`);
    expect(launchScript(args)).toContain(text);
    expect(() => runnerArgsText({ ...args, workstation: 'a\nb' })).toThrow(/line break/);
    expect(newOpId()).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
  });
});
