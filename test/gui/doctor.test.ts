/**
 * The agent doctor against the real lab: one guest whose agent answers, one whose agent is not
 * started, one with no channel (whose add-channel question is asked and CANCELLED: the lab guest
 * must stay without a channel), and a guest frozen from outside, thawed from the doctor.
 */
import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLabProfile, type LabProfile } from '../lab/lab';
import { labVirsh } from '../support/snapshot-helpers';
import { connectLab, labGuestNames, useGui, type Gui } from './harness';

let profile: LabProfile;
let gui: Gui;
let agent: string;
let noAgent: string;
let noChannel: string;

useGui({
  setup: async (g) => {
    gui = g;
    profile = readLabProfile();
    ({ agent, noAgent, noChannel } = labGuestNames(profile));
    await connectLab(gui.page, profile, {
      [agent]: 'ready',
      [noAgent]: 'agent-not-connected',
      [noChannel]: 'no-channel',
    });
  },
});

afterEach(async () => {
  // Each test starts from the table, whatever the last one left open.
  if (gui && (await gui.page.getByTestId('doctor').count()) > 0) {
    await gui.page.getByTestId('doctor-close').click();
  }
});

/** virsh on the lab's libvirtd, as root on this machine: "from outside" the app. */
const virsh = (...args: string[]) => labVirsh(profile.libvirtUri, '-q', ...args);

/** Waits for the doctor's run to finish (a run other than `ranAt`, if given): the dialog. */
async function finished(page: Page, notRanAt?: string): Promise<Locator> {
  const doctor = page.getByTestId('doctor');
  const done = notRanAt
    ? `.doctor[data-running="false"][data-ran-at]:not([data-ran-at="${notRanAt}"])`
    : '.doctor[data-running="false"][data-ran-at]';
  await doctor.locator(done).waitFor({ timeout: 90_000 });
  return doctor;
}

/** When the report on screen was made (main's ISO time). */
const ranAt = async (doctor: Locator) =>
  (await doctor.locator('.doctor').getAttribute('data-ran-at')) ?? undefined;

/** Clicks Run again and waits for the new report. */
async function runAgain(page: Page): Promise<Locator> {
  const doctor = page.getByTestId('doctor');
  const before = await ranAt(doctor);
  await doctor.getByTestId('doctor-rerun').click();
  return finished(page, before);
}

/**
 * Runs the doctor again until its verdict is `level` (other test runs may share the lab and
 * disturb a guest for a moment), and returns the dialog.
 */
async function doctorSays(page: Page, level: string, timeout = 120_000): Promise<Locator> {
  const deadline = Date.now() + timeout;
  let doctor = await finished(page);
  for (;;) {
    const got = await doctor.getByTestId('doctor-verdict').getAttribute('data-level');
    if (got === level) return doctor;
    if (Date.now() > deadline) throw new Error(`the doctor still says ${got}, want ${level}`);
    doctor = await runAgain(page);
  }
}

const verdictOf = (doctor: Locator, step: string) =>
  doctor.getByTestId(`doctor-step-${step}`).getAttribute('data-verdict');

/** Tall enough for the whole doctor dialog. */
const DOCTOR_SHOT = { height: 1500 };

describe('agent doctor', () => {
  it('finds the agent guest ready and lists the filesystem a freeze covers', async () => {
    const { page } = gui;
    await page.getByTestId(`doctor-open-${agent}`).click();
    const dialog = page.getByTestId('doctor');
    await dialog.waitFor();
    expect(await dialog.getAttribute('role')).toBe('dialog');
    // The run takes a host round trip: its progress is said while it lasts.
    await dialog.getByText('Running checks on the host…').waitFor();
    const doctor = await doctorSays(page, 'ready');
    for (const step of ['state', 'channel', 'ping', 'info', 'fsstatus']) {
      expect(await verdictOf(doctor, step), step).toBe('pass');
    }
    expect(await doctor.getByTestId('doctor-verdict').innerText()).toContain('Ready');
    const fs = doctor.getByTestId('doctor-filesystems');
    const row = fs.locator('tr[data-mountpoint="/data"]');
    await row.waitFor();
    expect(await row.innerText()).toContain('ext4');
    expect(await doctor.getByTestId('doctor-freeze-hook').innerText()).toContain('fsfreeze hook');
    // Nothing to install or add for a ready guest.
    expect(await doctor.getByTestId('doctor-install').count()).toBe(0);
    expect(await doctor.getByTestId('doctor-channel').count()).toBe(0);
    expect(await doctor.getByTestId('doctor-thaw').count()).toBe(0);

    // Each step's command, output and time are one click away.
    const ping = doctor.getByTestId('doctor-step-ping');
    const details = ping.getByRole('button', { name: /Details/ });
    expect(await details.getAttribute('aria-expanded')).toBe('false');
    await details.click();
    expect(await details.getAttribute('aria-expanded')).toBe('true');
    const text = await ping.locator('.step-details').innerText();
    expect(text).toContain(`'{"execute":"guest-ping"}'`);
    expect(text).toContain('{"return":{}}');
    expect(text).toMatch(/\d+ ms|\d+\.\d s/);
    await gui.screenshot('doctor-ready', DOCTOR_SHOT);

    // Run again runs it again.
    const first = await ranAt(doctor);
    await runAgain(page);
    expect(await ranAt(doctor)).not.toBe(first);
    expect(await doctor.getByTestId('doctor-status').innerText()).toMatch(/^Checked at /);

    // Escape closes it and gives the focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() =>
        page.getByTestId(`doctor-open-${agent}`).evaluate((el) => el === document.activeElement),
      )
      .toBe(true);
  });

  it('test-freezes the agent guest through the guarded runner and reports the window', async () => {
    const { page } = gui;
    await page.getByTestId(`doctor-open-${agent}`).click();
    const doctor = await doctorSays(page, 'ready');
    const section = doctor.getByTestId('doctor-test-freeze');
    await section.getByTestId('doctor-test-freeze-run').click();
    const result = section.getByTestId('doctor-test-freeze-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.innerText()).toMatch(
      /Froze 1 filesystem\(s\) and thawed: writes were held for \d+ ms/,
    );
    await gui.screenshot('doctor-test-freeze', DOCTOR_SHOT);
    // Nothing was cut, and the guest is thawed.
    expect(virsh('snapshot-list', agent, '--name').trim()).toBe('');
    expect(virsh('qemu-agent-command', agent, '{"execute":"guest-fsfreeze-status"}')).toContain(
      'thawed',
    );
  });

  it('opens with `d` on a focused row; the no-agent guest fails at the channel and gets install steps', async () => {
    const { page } = gui;
    const row = page.getByTestId(`domain-row-${noAgent}`);
    await row.focus();
    await page.keyboard.press('d');
    const doctor = await doctorSays(page, 'agent-not-connected');
    expect(await verdictOf(doctor, 'state')).toBe('pass');
    expect(await verdictOf(doctor, 'channel')).toBe('fail');
    expect(await doctor.getByTestId('doctor-step-channel').innerText()).toContain(
      'state is disconnected',
    );
    expect(await verdictOf(doctor, 'ping')).toBe('fail');
    expect(await verdictOf(doctor, 'info')).toBe('skip');
    const install = doctor.getByTestId('doctor-install');
    await install.waitFor();
    const commands = await install.locator('code').allInnerTexts();
    expect(commands).toContain('apt install qemu-guest-agent');
    expect(commands).toContain('systemctl enable --now qemu-guest-agent');
    expect(await doctor.getByTestId('doctor-verdict').innerText()).toContain('What to do:');
    // The channel is there: nothing to add.
    expect(await doctor.getByTestId('doctor-channel').count()).toBe(0);
    await gui.screenshot('doctor-no-agent', DOCTOR_SHOT);
    await doctor.getByTestId('doctor-close').click();
    await doctor.waitFor({ state: 'detached' });
    await expect.poll(() => row.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('shows the no-channel guest the channel XML and asks before adding it (cancelled)', async () => {
    const { page } = gui;
    const before = virsh('dumpxml', '--inactive', noChannel);
    expect(before).not.toContain('org.qemu.guest_agent.0');
    await page.getByTestId(`doctor-open-${noChannel}`).click();
    const doctor = await doctorSays(page, 'no-channel');
    expect(await verdictOf(doctor, 'channel')).toBe('fail');
    expect(await doctor.getByTestId('doctor-step-channel').innerText()).toContain(
      'no org.qemu.guest_agent.0 channel',
    );
    const xml = await doctor.getByTestId('doctor-channel-xml').innerText();
    expect(xml).toContain("<channel type='unix'>");
    expect(xml).toContain("name='org.qemu.guest_agent.0'");
    await doctor.getByTestId('doctor-install').waitFor();
    await gui.screenshot('doctor-no-channel', DOCTOR_SHOT);

    // The question says the guest must be restarted from libvirt; the safe answer has the focus.
    await doctor.getByTestId('doctor-add-channel').click();
    const confirm = page.getByTestId('doctor-add-channel-confirm');
    await confirm.waitFor();
    const question = await confirm.innerText();
    expect(question).toContain(`Add the agent channel to ${noChannel}?`);
    expect(question).toContain('persistent definition');
    expect(question).toContain('shut the guest down and start it again from libvirt');
    await expect
      .poll(() =>
        page
          .getByTestId('doctor-add-channel-cancel')
          .evaluate((el) => el === document.activeElement),
      )
      .toBe(true);
    await gui.screenshot('doctor-add-channel-confirm');

    // Escape answers only the question: the doctor stays open.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await page.getByTestId('doctor').isVisible()).toBe(true);
    // And Cancel the same.
    await doctor.getByTestId('doctor-add-channel').click();
    await confirm.waitFor();
    await page.getByTestId('doctor-add-channel-cancel').click();
    await confirm.waitFor({ state: 'detached' });
    expect(await doctor.getByTestId('doctor-add-channel-result').count()).toBe(0);
    expect(virsh('dumpxml', '--inactive', noChannel)).not.toContain('org.qemu.guest_agent.0');
  });

  it('offers Thaw now for a guest frozen from outside, and thaws it', async () => {
    const { page } = gui;
    try {
      virsh('domfsfreeze', agent);
      await page.getByTestId(`doctor-open-${agent}`).click();
      const doctor = await doctorSays(page, 'frozen');
      expect(await verdictOf(doctor, 'fsstatus')).toBe('fail');
      const before = await ranAt(doctor);
      await doctor.getByTestId('doctor-thaw').click();
      // The thaw runs the doctor again by itself (and reads the inventory again).
      await finished(page, before);
      await doctorSays(page, 'ready');
      expect(await doctor.getByTestId('doctor-thaw').count()).toBe(0);
      const status = JSON.parse(
        virsh('qemu-agent-command', agent, '{"execute":"guest-fsfreeze-status"}'),
      ) as { return: string };
      expect(status.return).toBe('thawed');
      await doctor.getByTestId('doctor-close').click();
      await page.getByTestId('frozen-banner').waitFor({ state: 'detached', timeout: 60_000 });
    } finally {
      try {
        virsh('domfsthaw', agent);
      } catch {
        /* not frozen any more */
      }
    }
  });
});
