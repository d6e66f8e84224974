import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { exportDir } from '../../electron/services/export/export-launch';

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

/**
 * Two snapshots as a real libvirt leaves them: `s1` froze images/base.qcow2 under
 * images/data.s1.qcow2, `s2` froze data.s1.qcow2 under data.s2.qcow2 (the domain's disk now).
 * Both overlays are QEMU's user's (0600): qemu-img, as the SSH user, may not open them; libvirt's
 * storage driver reads them. `adminPool`: an active pool on the folder already (else none).
 */
function withLaterSnapshot(adminPool: boolean) {
  return (h: ExportHost) => {
    const images = join(h.root, 'images');
    mkdirSync(images, { recursive: true });
    const base = join(images, 'base.qcow2');
    const s1 = join(images, 'data.s1.qcow2');
    const s2 = join(images, 'data.s2.qcow2');
    writeFileSync(base, 'QFI fake qcow2 backing=\nthe guest before s1\n');
    writeFileSync(s1, `QFI fake qcow2 backing=${base}\nwritten between s1 and s2\n`);
    writeFileSync(s2, `QFI fake qcow2 backing=${s1}\nwritten after s2\n`);
    writeFileSync(join(h.state, 'unreadable'), `${s1}\n${s2}\n`);
    h.setState('top', s2);
    mkdirSync(join(h.state, 'snapshots'));
    writeFileSync(join(h.state, 'snapshots', 's2'), s2);
    if (adminPool) {
      mkdirSync(join(h.state, 'pools'));
      writeFileSync(join(h.state, 'pools', 'default'), `${images}\n`);
    }
    writeFileSync(
      join(h.hostDir, 'history.jsonl'),
      `{"op":"${SNAP_OP}","kind":"snapshot","uuid":"${FAKE_UUID}","snapshot":"s2","ok":true,"rt":1}\n`,
    );
    const op = join(h.hostDir, 'ops', SNAP_OP);
    mkdirSync(op, { recursive: true });
    writeFileSync(
      join(op, 'journal.jsonl'),
      `{"ev":"result","op":"${SNAP_OP}","mono":1,"ok":true,"snapshotTaken":"yes","label":"quiesced","filesystems":2}\n`,
    );
  };
}
const pools = (o: ExportOutcome) => {
  try {
    return readdirSync(join(o.host.state, 'pools'));
  } catch {
    return [];
  }
};

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
    it('a later snapshot whose frozen image the SSH user may not open: read through libvirt, in a pool of its own', async () => {
      await run({ shell, snapshot: 's2', copyMs: 200, setup: withLaterSnapshot(false) }, (o) => {
        expect(o.summary, o.journal).toMatchObject({
          state: 'succeeded',
          consistency: { label: 'quiesced', filesystems: 2 },
        });
        const images = join(o.host.root, 'images');
        const m = manifestOf(o);
        expect(m.disks).toMatchObject([{ target: 'vda', source: join(images, 'data.s1.qcow2') }]);
        // the chain as of s2: the base and what was written before s2, not what came after
        const copied = readFileSync(join(o.host.dest, FAKE_UUID, o.opId, 'vda.qcow2'), 'utf8');
        expect(copied).toBe(
          'QFI fake qcow2 backing=\nthe guest before s1\nwritten between s1 and s2\n',
        );
        // only the layer it may not open came through libvirt; the base was read in place
        const downloads = o.trace.filter((l) => l.startsWith('download-start'));
        expect(downloads).toEqual([`download-start ${images}/data.s1.qcow2 frozen=0`]);
        expect(o.trace.some((l) => l.startsWith(`rebased ${o.host.dest}`))).toBe(true);
        // its transient pool is gone, and so are the copies of the layers
        expect(o.trace.filter((l) => /^pool-(created|destroyed) /.test(l))).toEqual([
          `pool-created quiesce-export-${o.opId}-1 frozen=0`,
          `pool-destroyed quiesce-export-${o.opId}-1 frozen=0`,
        ]);
        expect(pools(o)).toEqual([]);
        expect(o.destFiles.filter((f) => f.includes('.layer'))).toEqual([]);
        expect(o.journal).toContain(
          Buffer.from(
            'read through libvirt (vol-download), the SSH user may not open them: vda',
          ).toString('base64'),
        );
      });
    });
    it('a later snapshot in a folder an admin’s pool covers: that pool is used, and kept (and another domain’s export’s pool too)', async () => {
      // a running export of another domain read through a transient pool of its own: not this
      // run's to settle (the lock is a domain's)
      const other = '20261201T000000Z-0000bbbb';
      const setup = (h: ExportHost) => {
        withLaterSnapshot(true)(h);
        const op = join(exportDir(h.hostDir), 'ops', other);
        mkdirSync(op, { recursive: true });
        writeFileSync(join(op, 'args'), 'uuid=00000000-0000-4000-8000-00000000000b\n');
        writeFileSync(join(op, 'pools'), `quiesce-export-${other}-1\n`);
        writeFileSync(join(h.state, 'pools', `quiesce-export-${other}-1`), '/elsewhere\n');
      };
      await run({ shell, snapshot: 's2', copyMs: 200, setup }, (o) => {
        expect(o.summary.state, o.journal).toBe('succeeded');
        expect(o.trace.some((l) => l.startsWith('download-start'))).toBe(true);
        expect(o.trace.some((l) => /^pool-(created|destroyed) /.test(l))).toBe(false);
        expect(pools(o)).toEqual(['default', `quiesce-export-${other}-1`]);
      });
    });
    it('cancelled while libvirt reads a layer: the download is stopped, nothing is left, the pool is gone', async () => {
      await run(
        {
          shell,
          snapshot: 's2',
          copyMs: 5000,
          setup: withLaterSnapshot(false),
          cancelWhen: (w) => /download-start/.test(w.trace),
        },
        (o) => {
          expect(o.summary).toMatchObject({
            state: 'failed',
            cancelled: true,
            failedPhase: 'copy',
          });
          expect(o.destFiles.filter((f) => f.includes(o.opId))).toEqual([]);
          expect(pools(o)).toEqual([]);
          expect(o.trace.some((l) => l.startsWith('convert-start'))).toBe(false);
        },
      );
    });
    it('killed outright while libvirt reads a layer: the next export destroys its pool and removes its files', async () => {
      const killed = await exportFaultRun({
        shell,
        snapshot: 's2',
        copyMs: 1500,
        setup: withLaterSnapshot(false),
        signal: { sig: 'SIGKILL', when: (w) => /download-start/.test(w.trace) },
      });
      expect(brokenExportPromises(killed), killed.journal).toEqual([]);
      expect(killed.summary.state).toBe('lost');
      // no exit trap ran: its transient pool is still in libvirt
      expect(pools(killed)).toEqual([`quiesce-export-${killed.opId}-1`]);
      const next = await exportFaultRun({ shell, snapshot: 's2', copyMs: 200 }, killed.host);
      try {
        expect(brokenExportPromises(next), next.journal).toEqual([]);
        expect(next.summary.state, next.journal).toBe('succeeded');
        expect(next.trace).toContain(`pool-destroyed quiesce-export-${killed.opId}-1 frozen=0`);
        expect(next.journal).toMatch(/"ev":"orphan-removed"/);
        expect(next.destFiles.filter((f) => f.includes(killed.opId))).toEqual([]);
        expect(pools(next)).toEqual([]);
      } finally {
        cleanupExport(next);
      }
    });
  },
);
