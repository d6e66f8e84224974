import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournalLines } from '../../electron/services/snapshot/journal-line';
import { overlayPath } from '../../bench/by-hand-cut';
import { toJson, type BenchResult } from '../../bench/report';
import {
  journalTimes,
  summarizeWindow,
  type WindowKind,
  type WindowRun,
} from '../../bench/window-summary';
import { maxFreezeOfOperationsSince } from '../support/lab-guard';
import { operationsOverlapping } from '../support/lab-operations';

/** A journal the real runner wrote on the lab (test/fixtures/journal/). */
const clean = readFileSync('test/fixtures/journal/clean.jsonl', 'utf8');

const run = (kind: WindowKind, gapMs: number, extra: Partial<WindowRun> = {}): WindowRun => ({
  kind,
  snapshot: `bench-t-${kind}`,
  gapMs,
  nextGapMs: 10,
  samples: 60,
  wallMs: 100,
  ...extra,
});

describe('the window bench reads the runner journal through the one schema', () => {
  it('takes freeze, cut and thaw from the frozen, thaw-running and thawed lines', () => {
    expect(journalTimes('op', readJournalLines(clean))).toEqual({
      opId: 'op',
      freezeMs: 50,
      cutMs: 30,
      thawMs: 10,
      windowMs: 90,
    });
  });

  it('still finds them when a torn line runs into the next (a writer killed mid-line)', () => {
    const torn = clean.replace(
      '{"ev":"frozen"',
      '{"ev":"phase","op":"x","mono":1,"pha{"ev":"frozen"',
    );
    expect(torn).not.toBe(clean);
    expect(journalTimes('op', readJournalLines(torn))?.freezeMs).toBe(50);
  });

  it('says nothing rather than a wrong number when the thawed line is missing', () => {
    const cut = clean
      .split('\n')
      .filter((l) => !l.startsWith('{"ev":"thawed"'))
      .join('\n');
    expect(journalTimes('op', readJournalLines(cut))).toBeUndefined();
  });
});

describe('the window numbers', () => {
  const runs: Record<WindowKind, WindowRun[]> = {
    quiesce: [run('quiesce', 50, { reportedMs: 60, overlays: 'precreated' }), run('quiesce', 60)],
    libvirt: [run('libvirt', 70), run('libvirt', 90)],
    delayed: [run('delayed', 56, { overlays: 'precreated' })],
    floor: [run('floor', 40, { handWindowMs: 45 }), run('floor', 60, { handWindowMs: 55 })],
    nometa: [run('nometa', 45, { handWindowMs: 50 })],
  };

  it('puts Quiesce against the floor (freeze then thaw, nothing between) and the no-metadata cut', () => {
    const n = summarizeWindow(runs);
    expect(n.floorGuestGapP50Ms).toBe(50);
    expect(n.floorRatio).toBeCloseTo(55 / 50);
    expect(n.noMetadataGuestGapP50Ms).toBe(45);
    expect(n.floorHandWindowP50Ms).toBe(50);
    expect(n.ratio).toBeCloseTo(55 / 80);
    expect(n.overlays).toEqual({ precreated: 2, byLibvirt: 0, of: 3 });
  });

  it('prints every key it printed before, and the floor keys beside them', () => {
    const numbers = summarizeWindow(runs);
    const result = {
      inventory: {
        domains: 200,
        roundTripsPerRefresh: 1,
        refreshMs: 1,
        naiveRefreshMs: 2,
        speedup: 2,
      },
      agents: { hung1Ms: 1, hung3Ms: 1, ratio: 1 },
      window: {
        guest: 'g',
        ...numbers,
        delayedLinkRttMs: 200,
        runsByKind: runs,
        notes: [],
        problems: [],
      },
      machine: { cores: 2, date: 'now' },
      notes: [],
    } as unknown as BenchResult;
    const json = toJson(result);
    expect(Object.keys(json.window)).toEqual([
      'runs',
      'reportedP50Ms',
      'guestGapP50Ms',
      'guestGapP90Ms',
      'libvirtGuestGapP50Ms',
      'ratio',
      'delayedLinkGuestGapP50Ms',
      'delayedLinkRatio',
      'floorGuestGapP50Ms',
      'floorRatio',
      'noMetadataGuestGapP50Ms',
    ]);
    expect(json.window).toMatchObject({ floorGuestGapP50Ms: 50, floorRatio: 1.1 });
  });

  it('names the by-hand overlay as the runner names its own', () => {
    expect(overlayPath('/img/data.qcow2', 'bench-x-n1')).toBe('/img/data.bench-x-n1.qcow2');
    expect(overlayPath('/img/data.before.qcow2', 'bench-x-n1')).toBe('/img/data.bench-x-n1.qcow2');
  });
});

describe('the lab guard reads journals through the one schema', () => {
  it('takes the max freeze from the start line, even when a torn line runs into it', () => {
    const home = mkdtempSync(join(tmpdir(), 'quiesce-guard-'));
    try {
      const dir = join(home, '.quiesce', 'ops', '20261126T205816Z-3ee548ad');
      mkdirSync(dir, { recursive: true });
      const start = clean.split('\n')[0]!.replace('"maxFreezeS":10', '"maxFreezeS":37');
      writeFileSync(join(dir, 'journal.jsonl'), `{"ev":"phase","op":"x","mo${start}\n`);
      expect(maxFreezeOfOperationsSince(Date.now() - 60_000, home)).toBe(37);
      // Text that merely looks like the field is not a journal line.
      writeFileSync(join(dir, 'journal.jsonl'), `garbage "maxFreezeS": 99\n`);
      expect(maxFreezeOfOperationsSince(Date.now() - 60_000, home)).toBeUndefined();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('other sessions seen in the journals on the lab host', () => {
  it('finds the operations that overlapped a time range, on which guest, torn lines included', () => {
    const home = mkdtempSync(join(tmpdir(), 'quiesce-ops-'));
    try {
      const now = Date.now();
      const stamp = (ms: number) =>
        new Date(ms)
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d+Z$/, 'Z');
      const write = (id: string, uuid: string, fromMs: number, toMs: number, torn = false) => {
        const dir = join(home, '.quiesce', 'ops', id);
        mkdirSync(dir, { recursive: true });
        const start = `{"ev":"start","op":"${id}","mono":1,"rt":${fromMs * 1e6},"kind":"snapshot","uuid":"${uuid}","snapshot":"s","policy":"require","pid":999999999,"maxFreezeS":10,"workstation":"","user":""}`;
        const end = `{"ev":"end","op":"${id}","mono":2,"rt":${toMs * 1e6}}`;
        writeFileSync(
          join(dir, 'journal.jsonl'),
          torn ? `{"ev":"pha${start}\n${end}\n` : `${start}\n${end}\n`,
        );
      };
      write(`${stamp(now - 5000)}-a`, 'guest-1', now - 5000, now - 4000, true);
      write(`${stamp(now - 9000)}-b`, 'guest-2', now - 9000, now - 3500);
      write(`${stamp(now - 60_000)}-c`, 'guest-1', now - 60_000, now - 50_000);
      write(`${stamp(now - 4500)}-ours`, 'guest-1', now - 4500, now - 4200);
      const found = operationsOverlapping(
        now - 4200,
        now,
        new Set([`${stamp(now - 4500)}-ours`]),
        'guest-1',
        home,
      );
      expect(found.sort((x, y) => x.opId.localeCompare(y.opId))).toEqual([
        { opId: `${stamp(now - 9000)}-b`, onGuest: false },
        { opId: `${stamp(now - 5000)}-a`, onGuest: true },
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
