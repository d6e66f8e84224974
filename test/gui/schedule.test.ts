import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readLabProfile, guestAgentCommand, guestExec, type LabProfile } from '../lab/lab';
import { LAB_USER } from '../lab/config';
import { connectedLabSession } from '../support/service-harness';
import { labUserHome } from '../support/lab-operations';
import { captureAgentGuest, type AgentGuestSnapshot } from '../support/agent-guest-restore';
import { connectLab, useGui, type Gui } from './harness';

/**
 * Schedules in the window, against the real lab: a schedule installed through the services (as
 * another workstation or the CLI would), one run skipped with the agent stopped and two that
 * succeeded, all run on the host as cron runs them; then the host page shows the failure (badge,
 * error and remedy) and the editor shows the retention preview, over future runs and over the
 * snapshots on the host now. Screenshots: schedule-host-failure, schedule-editor-preview.
 */
const ID = 'guisched';
const MARK = `# quiesce-schedule:${ID}`;
let profile: LabProfile;
let gui: Gui;
let found: AgentGuestSnapshot;

function fireCronLine(): void {
  const tab = execFileSync('crontab', ['-l', '-u', LAB_USER], { encoding: 'utf8' });
  const line = tab.split('\n').find((l) => l.endsWith(MARK))!;
  const home = labUserHome();
  execFileSync(
    'runuser',
    [
      '-u',
      LAB_USER,
      '--',
      'env',
      '-i',
      `HOME=${home}`,
      'PATH=/usr/bin:/bin',
      '/bin/sh',
      '-c',
      line.split(/\s+/).slice(5).join(' '),
    ],
    { stdio: 'pipe', timeout: 300_000 },
  );
}

/** The schedule and its three runs, through the services (while the GUI starts). */
async function prepare(): Promise<void> {
  profile = readLabProfile();
  const agent = profile.guests.find((x) => x.role === 'agent')!;
  const { h, hostId } = await connectedLabSession();
  try {
    found = await captureAgentGuest(profile.libvirtUri, agent.uuid, agent.name);
    await h.call('schedule.remove', { hostId, id: ID });
    await h.call('schedule.save', {
      hostId,
      schedule: {
        id: ID,
        target: { kind: 'domain', uuid: agent.uuid },
        when: { kind: 'daily', at: '02:30' },
        retention: { last: 3, daily: 7 },
      },
    });
    // the agent stopped: a skipped run
    await guestExec(agent.name, '/bin/sh', [
      '-c',
      '(sleep 1; kill $(cat /run/qemu-ga.pid)) >/dev/null 2>&1 </dev/null &',
    ]);
    for (let i = 0; i < 100; i++) {
      const up = await guestAgentCommand(agent.name, { execute: 'guest-ping' }).then(
        () => true,
        () => false,
      );
      if (!up) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    fireCronLine();
    await found.restore();
    // the agent back: two snapshots
    for (let i = 0; i < 2; i++) {
      fireCronLine();
      await new Promise((r) => setTimeout(r, 1100));
    }
  } finally {
    h.dispose();
  }
}

async function cleanUp(): Promise<void> {
  const { h, hostId } = await connectedLabSession();
  try {
    await h.call('schedule.remove', { hostId, id: ID });
    await found?.restore();
  } finally {
    h.dispose();
  }
}

useGui({
  prepare,
  // Then the window, connected once the runs are on the host.
  setup: async (g) => {
    gui = g;
    await connectLab(gui.page, profile);
  },
  timeoutMs: 400_000,
});
afterAll(cleanUp, 300_000);

describe('schedules in the window', () => {
  it('the host shows the failed run: a badge, the error and what to do', async () => {
    const { page } = gui;
    const panel = page.getByTestId('schedules');
    await panel.getByTestId(`schedule-row-${ID}`).waitFor({ timeout: 60_000 });
    await expect(panel.getByTestId('schedule-alert-badge').textContent()).resolves.toBe(
      '1 failure',
    );
    const alert = panel.getByTestId('schedule-alert');
    await expect(alert.textContent()).resolves.toMatch(/Skipped: the guest agent did not answer/);
    await expect(alert.textContent()).resolves.toMatch(/What to do: Start the guest agent/);
    // the last run succeeded, and a next run is known
    await expect(panel.getByTestId(`schedule-row-${ID}`).textContent()).resolves.toMatch(
      /succeeded/,
    );
    await panel.scrollIntoViewIfNeeded();
    await gui.screenshot('schedule-host-failure', { height: 1400 });
  }, 120_000);

  it('the editor previews retention over future runs and over the snapshots on the host now', async () => {
    const { page } = gui;
    const panel = page.getByTestId('schedules');
    await panel.getByTestId(`schedule-row-${ID}`).getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByTestId('schedule-editor');
    await editor.waitFor();
    await expect(editor.getByTestId('preview-summary').textContent()).resolves.toMatch(
      /Over the next 90 days: (89|90) runs, (82|83) pruned, 7 kept at the end/,
    );
    // keep-last 1 now: the older of the two snapshots on the host would go, the newest stays
    await editor.getByTestId('keep-last').fill('1');
    await editor.getByTestId('keep-daily').fill('0');
    await editor.getByTestId('preview-delete').first().waitFor({ timeout: 60_000 });
    expect(await editor.getByTestId('preview-delete').count()).toBe(1);
    await expect(editor.getByTestId('preview-keep').first().textContent()).resolves.toMatch(
      /keep.*guisched-\d{8}T\d{6}.*last, the guest runs on it/,
    );
    await gui.screenshot('schedule-editor-preview', { height: 1400 });
    await editor.getByRole('button', { name: 'Close' }).click();
  }, 400_000);
});
