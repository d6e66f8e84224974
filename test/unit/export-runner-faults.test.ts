import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brokenExportPromises,
  checkedExportRun,
  cleanupExport,
  exportFaultRun,
  exportHost,
  manifestOf,
  type ExportFaultSpec,
  type ExportOutcome,
  type ExportWatch,
} from '../fault/export-fault-run';
import type { Shell } from '../fault/fault-run';

/**
 * The export runner (export-runner.sh + watchdog.sh, as shipped) under the faults a scripted virsh
 * can play, under dash, bash and busybox sh. Each run is checked against the promises (never left
 * frozen, a journal that reads, a free lock, no job and no partial file left, a failed export
 * leaves none of its files nor its checkpoint), then against what that scenario must come to.
 */
const run = checkedExportRun;
const has = (re: RegExp) => (w: ExportWatch) => re.test(w.journal);
const traced = (re: RegExp) => (w: ExportWatch) => re.test(w.trace);
/** The trace lines after the thaw: the copy's progress is read only once the guest is thawed. */
const thawIndex = (o: ExportOutcome) => o.trace.findIndex((l) => l.startsWith('thaw '));

interface Scenario {
  name: string;
  spec: Omit<ExportFaultSpec, 'shell'>;
  check: (o: ExportOutcome) => void;
}
const SCENARIOS: Scenario[] = [
  {
    name: 'a normal run: cut while frozen, copied after the thaw, manifest last, checkpoint kept',
    spec: {},
    check: (o) => {
      expect(o.summary).toMatchObject({
        state: 'succeeded',
        mode: 'full',
        consistency: { label: 'quiesced', filesystems: 2 },
      });
      expect(o.summary.windowMs).not.toBeNull();
      const cutEnd = o.trace.findIndex((l) => l.startsWith('cut-end'));
      const firstJobInfo = o.trace.findIndex((l) => l.startsWith('jobinfo'));
      expect(cutEnd).toBeGreaterThan(-1);
      expect(thawIndex(o)).toBeGreaterThan(cutEnd);
      expect(firstJobInfo).toBeGreaterThan(thawIndex(o));
      // progress was journaled while the copy ran
      expect(o.journal).toMatch(
        /"ev":"progress","op":"[^"]+","mono":\d+,"rt":[\d.e+]+,"done":\d+,"total":67108864/,
      );
      expect(o.destFiles.filter((f) => !f.endsWith('/')).map((f) => f.split('/').pop())).toEqual(
        expect.arrayContaining(['vda.qcow2', 'manifest.json']),
      );
      const m = manifestOf(o);
      expect(m).toMatchObject({
        exportId: o.opId,
        mode: 'full',
        parent: null,
        checkpoint: `quiesce-${o.opId}`,
        consistency: { label: 'quiesced', filesystems: 2 },
        domain: { name: 'fake "vm" & co' },
        createdBy: { workstation: 'ws "one"', user: "o'brien" },
      });
      expect(m.domain.xml).toContain("<source file='");
      expect(m.disks).toHaveLength(1); // the cdrom is not exported
      expect(m.disks[0]).toMatchObject({ target: 'vda', file: 'vda.qcow2', virtualSize: 67108864 });
      // the checksum is of the file as it lies in the destination
      const image = o.destFiles.find((f) => f.endsWith(`${o.opId}/vda.qcow2`))!;
      expect(m.disks[0]!.sha256).toBe(
        createHash('sha256')
          .update(readFileSync(join(o.host.dest, image)))
          .digest('hex'),
      );
      expect(o.checkpoints).toEqual([`quiesce-${o.opId}`]);
    },
  },
  {
    name: 'a failing freeze: no cut, guest thawed, nothing left in the destination',
    spec: { plan: ['freeze fail'] },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'freeze' });
      expect(o.trace.some((l) => l.startsWith('cut'))).toBe(false);
      expect(o.destFiles).toEqual([]);
    },
  },
  {
    name: 'a freeze of 0 filesystems is not a quiesce: refused, thawed',
    spec: { plan: ['freeze count 0'] },
    check: (o) => {
      expect(o.summary.state).toBe('failed');
      expect(o.trace.some((l) => l.startsWith('cut'))).toBe(false);
    },
  },
  {
    name: 'a garbage freeze answer is no freeze',
    spec: { plan: ['freeze garbage'] },
    check: (o) => {
      expect(o.summary.state).toBe('failed');
      expect(o.trace.some((l) => l.startsWith('cut'))).toBe(false);
    },
  },
  {
    name: 'a failing cut: thawed in the same session, files and checkpoint gone',
    spec: { plan: ['cut fail'] },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'cut' });
      expect(o.trace.filter((l) => l.startsWith('thaw ok'))).toHaveLength(1);
      expect(o.destFiles).toEqual([]);
    },
  },
  {
    name: 'a cut that errs after starting the job: the job is aborted, nothing is left',
    spec: { plan: ['cut lie-error'] },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'cut' });
      expect(o.trace.some((l) => l.startsWith('abort'))).toBe(true);
    },
  },
  {
    name: 'a failing thaw: thawed on the way out through the agent, the export refused',
    // a watchdog far away: the runner itself must thaw, not its watchdog
    spec: { plan: ['thaw fail'], maxFreezeS: 20, timeoutMs: 15_000 },
    check: (o) => {
      expect(o.summary.state).toBe('failed');
      expect(o.trace.some((l) => l.startsWith('agent-thaw ok'))).toBe(true);
      expect(o.journal).not.toMatch(/watchdog-fired/);
    },
  },
  {
    name: 'a hanging thaw: the watchdog thaws the guest, nothing is left',
    spec: { plan: ['thaw hang'], maxFreezeS: 1 },
    check: (o) => {
      expect(o.summary.state).toBe('failed');
      expect(o.journal).toMatch(/"ev":"watchdog-fired"/);
    },
  },
  {
    name: 'a cut slower than the maximum freeze is not quiesced: refused under require',
    spec: { plan: ['cut slow 2'], maxFreezeS: 1 },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'cut' });
      expect(o.summary.message).toMatch(/watchdog/);
    },
  },
  {
    name: 'the runner killed while frozen (SIGKILL): the watchdog thaws the guest',
    spec: {
      holdFrozenMs: 3000,
      maxFreezeS: 1,
      signal: { sig: 'SIGKILL', when: has(/"ev":"frozen"/) },
    },
    check: (o) => {
      expect(o.journal).toMatch(/"ev":"watchdog-fired"/);
      expect(o.summary.state).toBe('lost');
    },
  },
  {
    name: 'the runner stopped (SIGTERM) while frozen: thawed on the way out, nothing left',
    spec: {
      holdFrozenMs: 3000,
      maxFreezeS: 20,
      timeoutMs: 15_000,
      signal: { sig: 'SIGTERM', when: has(/"ev":"frozen"/) },
    },
    check: (o) => {
      expect(o.summary.state).toBe('failed');
      expect(o.journal).not.toMatch(/watchdog-fired/);
      expect(o.destFiles).toEqual([]);
    },
  },
  {
    name: 'SIGTERM during the copy: the job is aborted, the partial files and checkpoint removed',
    spec: { copyMs: 4000, signal: { sig: 'SIGTERM', when: has(/"ev":"progress"/) } },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed' });
      expect(o.trace.some((l) => l.startsWith('abort ok'))).toBe(true);
      expect(o.destFiles).toEqual([]);
      expect(o.checkpoints).toEqual([]);
    },
  },
  {
    name: 'cancel during the copy: aborted, cancelled, nothing looks complete',
    // a copy far longer than a starved tick's delay (4 s once ended first at a load of 17); the
    // cancel ends it early
    spec: { copyMs: 30_000, cancelWhen: has(/"ev":"progress"/) },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', cancelled: true, failedPhase: 'copy' });
      expect(o.trace.some((l) => l.startsWith('abort ok'))).toBe(true);
      expect(o.destFiles).toEqual([]);
    },
  },
  {
    name: 'a copy job that fails: its reason is told, nothing left',
    spec: { plan: ['cut job-fails'] },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'copy' });
      expect(o.summary.message).toMatch(/injected I\/O error/);
    },
  },
  {
    name: 'too little room in the destination: refused before any freeze',
    // a 1 EiB disk: more than any real folder has free (the real df reads the destination)
    spec: { diskBytes: 2 ** 60 },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'prepare' });
      expect(o.summary.message).toMatch(/MiB free, the export needs up to 1099511627776 MiB/);
      expect(o.summary.needBytes).toBe(2 ** 60);
      expect(o.trace.some((l) => l.startsWith('freeze'))).toBe(false);
    },
  },
  {
    name: 'the guest agent cannot freeze and quiesce is required: refused',
    spec: { plan: ['status fail'] },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'preflight' });
    },
  },
  {
    name: 'the same with crash-consistent allowed: exported, labelled with the reason',
    spec: { plan: ['status#1 fail'], policy: 'allow-crash-consistent' },
    check: (o) => {
      expect(o.summary).toMatchObject({
        state: 'succeeded',
        consistency: { label: 'crash-consistent', reason: expect.stringMatching(/agent/) },
      });
      expect(o.trace.some((l) => l.startsWith('freeze'))).toBe(false);
    },
  },
  {
    name: 'qemu-img create fails (it runs in the background): prepare fails saying why, no freeze',
    spec: { plan: ['qemu-img-create fail'] },
    check: (o) => {
      expect(o.summary).toMatchObject({ state: 'failed', failedPhase: 'prepare' });
      expect(o.summary.message).toMatch(
        /could not create .*vda\.qcow2\.partial: .*injected failure/,
      );
      expect(o.trace.some((l) => l.startsWith('freeze'))).toBe(false);
      expect(o.destFiles).toEqual([]);
    },
  },
  {
    name: 'SIGTERM while qemu-img create runs in the background: it is stopped, nothing left',
    // the fake's create hangs: unless the exit trap stops it, it outlives the run (a process
    // left), and a create that went on could make its image after the run removed what it made
    spec: {
      plan: ['qemu-img-create hang'],
      signal: { sig: 'SIGTERM', when: traced(/^qemu-img-create hang/m) },
    },
    check: (o) => {
      expect(o.summary.state).toBe('failed');
      expect(o.trace.some((l) => l.startsWith('freeze'))).toBe(false);
      expect(o.destFiles).toEqual([]);
    },
  },
];

const SHELLS_HERE: Shell[] = ['dash', 'bash', 'busybox'];
// Each run has a fake host of its own, and most of a run is waiting for the fake's copy: side by side
describe.each(SHELLS_HERE)('export runner under %s', (shell) => {
  for (const s of SCENARIOS) {
    it.concurrent(s.name, { timeout: 40_000 }, () => run({ shell, ...s.spec }, s.check));
  }
});

describe('incremental exports (dash)', () => {
  it(
    'an incremental after a full: backing is the previous export, checkpoint chained',
    { timeout: 40_000 },
    async () => {
      const host = exportHost({ shell: 'dash' });
      const full = await exportFaultRun({ shell: 'dash', copyMs: 200 }, host);
      expect(brokenExportPromises(full)).toEqual([]);
      const inc = await exportFaultRun({ shell: 'dash', copyMs: 200, mode: 'incremental' }, host);
      expect(brokenExportPromises(inc), inc.journal).toEqual([]);
      expect(inc.summary).toMatchObject({
        state: 'succeeded',
        mode: 'incremental',
        parent: full.opId,
      });
      const m = manifestOf(inc);
      expect(m).toMatchObject({
        mode: 'incremental',
        parent: full.opId,
        incrementalFrom: `quiesce-${full.opId}`,
      });
      expect(m.disks[0]!.backing).toBe(`../${full.opId}/vda.qcow2`);
      // the image names its backing file in the destination (the fake qemu-img records -b)
      const img = readFileSync(
        join(
          host.dest,
          inc.destFiles.find((f) => f.endsWith(`${inc.opId}/vda.qcow2`))!,
        ),
        'utf8',
      );
      expect(img).toContain(`backing=../${full.opId}/vda.qcow2`);
      // the backup asked libvirt for the blocks changed since the full export's checkpoint
      expect(
        readFileSync(join(host.hostDir, 'exports', 'ops', inc.opId, 'backup.xml'), 'utf8'),
      ).toContain(`<incremental>quiesce-${full.opId}</incremental>`);
      expect(inc.checkpoints.sort()).toEqual(
        [`quiesce-${full.opId}`, `quiesce-${inc.opId}`].sort(),
      );
      cleanupExport(inc);
    },
  );

  it(
    'a missing checkpoint falls back to a full export, with the reason in journal and manifest',
    { timeout: 40_000 },
    async () => {
      const host = exportHost({ shell: 'dash' });
      const full = await exportFaultRun({ shell: 'dash', copyMs: 200 }, host);
      expect(brokenExportPromises(full)).toEqual([]);
      // the checkpoint goes (deleted by hand, or lost with the domain's redefinition)
      const { rmSync } = await import('node:fs');
      rmSync(join(host.state, 'checkpoints', `quiesce-${full.opId}`));
      const next = await exportFaultRun({ shell: 'dash', copyMs: 200, mode: 'incremental' }, host);
      expect(brokenExportPromises(next), next.journal).toEqual([]);
      expect(next.summary).toMatchObject({
        state: 'succeeded',
        modeAsked: 'incremental',
        mode: 'full',
        parent: null,
      });
      expect(next.summary.fullReason).toMatch(
        /no usable checkpoint quiesce-.*Domain checkpoint not found/,
      );
      const m = manifestOf(next);
      expect(m.fullReason).toMatch(/no usable checkpoint/);
      expect(m.parent).toBeNull();
      cleanupExport(next);
    },
  );

  it('an incremental with no earlier export is a full one, and says why', { timeout: 40_000 }, () =>
    run({ shell: 'dash', mode: 'incremental', copyMs: 200 }, (o) => {
      expect(o.summary).toMatchObject({ state: 'succeeded', mode: 'full' });
      expect(o.summary.fullReason).toMatch(/no complete earlier export/);
    }),
  );

  it(
    'a runner killed during the copy: the next export aborts its job, removes its partial files and checkpoint',
    { timeout: 40_000 },
    async () => {
      const host = exportHost({ shell: 'dash' });
      const killed = await exportFaultRun(
        { shell: 'dash', copyMs: 60_000, signal: { sig: 'SIGKILL', when: has(/"ev":"progress"/) } },
        host,
      );
      expect(brokenExportPromises(killed), killed.journal).toEqual([]);
      expect(killed.summary.state).toBe('lost');
      expect(killed.jobRunning).toBe(true); // libvirt copies on for a runner that is gone
      const next = await exportFaultRun({ shell: 'dash', copyMs: 200 }, host);
      expect(brokenExportPromises(next), next.journal).toEqual([]);
      expect(next.summary.state).toBe('succeeded');
      expect(next.journal).toMatch(/"ev":"orphan-removed"/);
      expect(next.journal).toContain(`"ev":"checkpoint","op":"${next.opId}"`);
      expect(next.destFiles.filter((f) => f.includes(killed.opId))).toEqual([]);
      expect(next.checkpoints).toEqual([`quiesce-${next.opId}`]);
      cleanupExport(next);
    },
  );

  it(
    'a failed incremental keeps the parent chain usable (its own checkpoint deleted)',
    { timeout: 40_000 },
    async () => {
      const host = exportHost({ shell: 'dash' });
      const full = await exportFaultRun({ shell: 'dash', copyMs: 200 }, host);
      const bad = await exportFaultRun(
        { shell: 'dash', copyMs: 200, mode: 'incremental', plan: ['cut job-fails'] },
        host,
      );
      expect(brokenExportPromises(bad), bad.journal).toEqual([]);
      expect(bad.checkpoints).toEqual([`quiesce-${full.opId}`]);
      const again = await exportFaultRun({ shell: 'dash', copyMs: 200, mode: 'incremental' }, host);
      expect(again.summary).toMatchObject({
        state: 'succeeded',
        mode: 'incremental',
        parent: full.opId,
      });
      cleanupExport(again);
    },
  );
});
void traced;
