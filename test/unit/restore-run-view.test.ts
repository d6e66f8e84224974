import { describe, expect, it } from 'vitest';
import type { RestoreRun } from '../../shared/export-restore-run';
import {
  restoreRunOutcome,
  restoreRunStep,
  restoreRunTitle,
} from '../../renderer/export/restore-run-view';

/** A restore found on the host (export.restores), in the Restores list's words. */
const run = (over: Partial<RestoreRun>): RestoreRun => ({
  opId: 'OP',
  state: 'running',
  phases: [],
  message: null,
  failedPhase: null,
  kind: 'restore',
  uuid: 'U',
  exportId: 'E1',
  restoreId: 'OP',
  name: 'web-restored',
  disks: [],
  images: [],
  copied: false,
  cancelled: false,
  code: null,
  output: [],
  startedAt: null,
  ...over,
});

describe('restore-run-view', () => {
  it('titles a new domain by its name and an original by the domain', () => {
    expect(restoreRunTitle(run({}), 'web')).toBe('as web-restored from export E1');
    expect(restoreRunTitle(run({ kind: 'restore-original', name: '' }), 'web')).toBe(
      'over web from export E1',
    );
  });
  it('says the step under way past the copy; no outcome while it runs', () => {
    const at = (phase: 'check' | 'copy' | 'define' | 'stop' | 'switch' | 'start') =>
      restoreRunStep(run({ phases: [{ phase, status: 'running' }] }));
    expect(at('check')).toMatch(/^Checking/);
    expect(at('stop')).toBe('Copied. Stopping the guest…');
    expect(at('define')).toBe('Copied. Defining the new domain…');
    expect(restoreRunOutcome(run({}), 'web')).toBeUndefined();
  });
  it('the outcome: made, cancelled, failed with the phase and the host’s words, lost', () => {
    const images = [{ target: 'vda', image: '/srv/web-restored-vda.qcow2' }];
    expect(
      restoreRunOutcome(
        run({ state: 'succeeded', images, phases: [{ phase: 'start', status: 'done' }] }),
        'web',
      ),
    ).toEqual({
      ok: true,
      text: 'Defined web-restored with 1 disk (/srv/web-restored-vda.qcow2), no network interface; started.',
    });
    expect(
      restoreRunOutcome(run({ state: 'succeeded', kind: 'restore-original', images }), 'web')?.text,
    ).toBe('web now runs on /srv/web-restored-vda.qcow2; its old images are kept.');
    expect(restoreRunOutcome(run({ state: 'failed', cancelled: true, code: 76 }), 'web')).toEqual({
      ok: true,
      text: 'Cancelled during the copy: no image was left and no domain defined.',
    });
    expect(
      restoreRunOutcome(
        run({ state: 'failed', code: 1, failedPhase: 'define', message: 'virsh define: no' }),
        'web',
      ),
    ).toEqual({ ok: false, text: 'Failed at define: virsh define: no' });
    expect(restoreRunOutcome(run({ state: 'lost', message: 'stopped' }), 'web')).toEqual({
      ok: false,
      text: 'stopped',
    });
  });
});
