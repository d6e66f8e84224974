import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brokenExportPromises,
  checkedExportRun,
  cleanupExport,
  manifestOf,
  exportFaultRun,
  FAKE_UUID,
  type ExportFaultSpec,
  type ExportHost,
  type ExportOutcome,
} from '../fault/export-fault-run';
import type { Shell } from '../fault/fault-run';

/**
 * Exporting an existing Quiesce snapshot (export-runner.sh with `snapshot`, as shipped, under
 * dash and busybox, against the scripted virsh/qemu-img): the frozen image under the overlay the
 * snapshot made is copied with no freeze at all, labelled as the snapshot's own run recorded it;
 * an image some domain writes is refused; a cancel during the copy leaves nothing.
 */
const SNAP_OP = '20261201T000000Z-0000aaaa';

/** A snapshot `s1`: images/base.qcow2 (frozen) under images/data.qcow2 (the domain's disk now). */
function withSnapshot(label: 'quiesced' | 'crash-consistent' | null, frozenIsTop = false) {
  return (h: ExportHost) => {
    const images = join(h.root, 'images');
    mkdirSync(images, { recursive: true });
    const base = join(images, 'base.qcow2');
    const top = join(images, 'data.qcow2');
    writeFileSync(base, 'QFI fake qcow2 backing=\nthe guest as it was at s1\n');
    writeFileSync(top, `QFI fake qcow2 backing=${base}\n`);
    mkdirSync(join(h.state, 'snapshots'));
    writeFileSync(join(h.state, 'snapshots', 's1'), top);
    if (frozenIsTop) h.setState('top', base);
    if (!label) return;
    writeFileSync(
      join(h.hostDir, 'history.jsonl'),
      `{"op":"${SNAP_OP}","kind":"snapshot","uuid":"${FAKE_UUID}","snapshot":"s1","ok":true,"rt":1}\n`,
    );
    const op = join(h.hostDir, 'ops', SNAP_OP);
    mkdirSync(op, { recursive: true });
    const result =
      label === 'quiesced'
        ? `"label":"quiesced","filesystems":3`
        : `"label":"crash-consistent","b64":"${Buffer.from('guest agent unavailable').toString('base64')}"`;
    writeFileSync(
      join(op, 'journal.jsonl'),
      `{"ev":"result","op":"${SNAP_OP}","mono":1,"ok":true,"snapshotTaken":"yes",${result}}\n`,
    );
  };
}

/** A checked run that also never touched the guest: no freeze, no thaw, no backup job. */
const run = (spec: ExportFaultSpec, check: (o: ExportOutcome) => void) =>
  checkedExportRun(spec, (o) => {
    expect(o.trace.filter((l) => /^(freeze|thaw|status|agent-thaw|cut) /.test(l))).toEqual([]);
    check(o);
  });

// Each case runs the runner with a fake virsh and qemu-img: seconds of process starts on a loaded
// machine, far past the unit tier's default 5 s.
describe.each<Shell>(['dash', 'busybox'])(
  'exporting an existing snapshot under %s',
  { timeout: 60_000 },
  (shell) => {
    it('copies the frozen image with no freeze, labelled as the snapshot was', async () => {
      await run(
        {
          shell,
          snapshot: 's1',
          mode: 'incremental',
          copyMs: 300,
          setup: withSnapshot('quiesced'),
        },
        (o) => {
          expect(o.summary, o.journal).toMatchObject({
            state: 'succeeded',
            mode: 'full',
            fullReason: 'an existing snapshot is exported whole: it has no checkpoint',
            consistency: { label: 'quiesced', filesystems: 3 },
            windowMs: null,
          });
          const m = manifestOf(o);
          expect(m).toMatchObject({ snapshot: 's1', checkpoint: '', mode: 'full', parent: null });
          expect(m.disks).toMatchObject([
            { target: 'vda', source: join(o.host.root, 'images', 'base.qcow2') },
          ]);
          const copied = join(o.host.dest, FAKE_UUID, o.opId, 'vda.qcow2');
          expect(readFileSync(copied, 'utf8')).toContain('the guest as it was at s1');
          expect(
            o.trace.some((l) => l.startsWith(`convert-start ${o.host.root}/images/base`)),
          ).toBe(true);
          expect(o.checkpoints).toEqual([]);
        },
      );
    });
    it('refuses a frozen image that a domain writes (the top of its chain)', async () => {
      await run({ shell, snapshot: 's1', setup: withSnapshot('quiesced', true) }, (o) => {
        expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'prepare' });
        expect(o.summary.message).toMatch(/active disk: something writes it/);
        expect(o.trace.some((l) => l.startsWith('convert-start'))).toBe(false);
      });
    });
    it('a crash-consistent snapshot: refused under require, exported with its reason when allowed', async () => {
      await run({ shell, snapshot: 's1', setup: withSnapshot('crash-consistent') }, (o) => {
        expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'preflight' });
        expect(o.summary.message).toMatch(/crash-consistent: guest agent unavailable/);
      });
      await run(
        {
          shell,
          snapshot: 's1',
          policy: 'allow-crash-consistent',
          copyMs: 200,
          setup: withSnapshot(null),
        },
        (o) => {
          expect(o.summary.state).toBe('succeeded');
          expect(o.summary.consistency).toEqual({
            label: 'crash-consistent',
            reason: 'no Quiesce run on this host recorded how snapshot s1 was cut',
          });
        },
      );
    });
    it('cancelled during the copy: the convert is stopped, nothing is left', async () => {
      await run(
        {
          shell,
          snapshot: 's1',
          copyMs: 5000,
          setup: withSnapshot('quiesced'),
          cancelWhen: (w) => /convert-start/.test(w.trace),
        },
        (o) => {
          expect(o.summary).toMatchObject({
            state: 'failed',
            cancelled: true,
            failedPhase: 'copy',
          });
          expect(o.destFiles.filter((f) => f.includes(o.opId))).toEqual([]);
        },
      );
    });
    it('an incremental after it builds on the export before it (a snapshot has no checkpoint)', async () => {
      const full = await exportFaultRun({ shell, copyMs: 200, setup: withSnapshot('quiesced') });
      expect(full.summary.state, full.journal).toBe('succeeded');
      const snap = await exportFaultRun({ shell, snapshot: 's1', copyMs: 200 }, full.host);
      expect(snap.summary.state, snap.journal).toBe('succeeded');
      const inc = await exportFaultRun({ shell, mode: 'incremental', copyMs: 200 }, full.host);
      try {
        expect(brokenExportPromises(inc), inc.journal).toEqual([]);
        expect(inc.summary).toMatchObject({
          state: 'succeeded',
          mode: 'incremental',
          parent: full.opId,
        });
      } finally {
        cleanupExport(inc);
      }
    });
    it('a snapshot libvirt does not have: refused before any copy', async () => {
      await run({ shell, snapshot: 'nope', setup: withSnapshot('quiesced') }, (o) => {
        expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'preflight' });
        expect(o.summary.message).toMatch(/no snapshot nope/);
      });
    });
  },
);
