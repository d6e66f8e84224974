/**
 * Restoring an export over its own domain from the history's Restore… form, against the real
 * lab: the form's "over DOMAIN" choice (reached with the arrow key), the folder, then the
 * confirmation read from the host (what stops, each disk's export chain and new image, what is
 * kept), confirmed from the keyboard (Tab from Cancel, Enter); the copy's progress bar (named by
 * its disk, bytes, rate and ETA as its value text) while it runs, and Cancel pressed once the
 * disks are copied refused with why (the dialog stays); the form then says where the domain runs
 * now and which old image is kept, and libvirt agrees. The domain is a throwaway persistent one
 * (test/support/throwaway-domain.ts), never the shared agent guest. Screenshots:
 * export-restore-original-confirm, export-restore-original-progress,
 * export-restore-original-done.
 */
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { readLabProfile, type LabProfile } from '../lab/lab';
import { exportDestination } from '../support/export-guest';
import { waitExport } from '../support/lab-fixture';
import { connectedLabSession, type serviceHarness } from '../support/service-harness';
import { labVirsh } from '../support/snapshot-helpers';
import { throwawayDomain } from '../support/throwaway-domain';
import { connectLabListing, useGui, type Gui } from './harness';

let gui: Gui;
let profile: LabProfile;
let service: ReturnType<typeof serviceHarness> | undefined;
let domain: Awaited<ReturnType<typeof throwawayDomain>> | undefined;
const dirs: ReturnType<typeof exportDestination>[] = [];
let exportId = '';
/** The export's end, awaited once the window is connected. */
let exported: Promise<void> | undefined;
const RUN_MS = 300_000;

useGui({
  timeoutMs: RUN_MS,
  // The domain and its export start while the GUI starts; the window connects while it copies.
  prepare: async () => {
    profile = readLabProfile();
    const agent = profile.guests.find((x) => x.role === 'agent')!;
    domain = await throwawayDomain(profile.libvirtUri, agent.uuid, { diskMiB: 32, filledMiB: 2 });
    const session = await connectedLabSession();
    service = session.h;
    const dest = exportDestination('gui-over');
    dirs.push(dest);
    const { opId } = await service.call('export.start', {
      hostId: session.hostId,
      uuid: domain.uuid,
      dest: dest.dir,
      mode: 'full',
    });
    exportId = opId;
    exported = waitExport(service, session.hostId, opId, RUN_MS).then((s) => {
      expect(s, JSON.stringify(s)).toMatchObject({ state: 'succeeded' });
    });
    exported.catch(() => undefined); // awaited (and so reported) in setup
  },
  setup: async (g) => {
    gui = g;
    await connectLabListing(gui.page, domain!.name);
    await exported;
  },
});

afterAll(() => {
  service?.dispose();
  domain?.remove();
  for (const d of dirs) d.remove();
}, RUN_MS);

it(
  'restores an export over its domain after a confirmation given from the keyboard',
  async () => {
    const { page } = gui;
    const d = domain!;
    const images = exportDestination('gui-over-images');
    dirs.push(images);
    await page.getByTestId(`history-open-${d.name}`).click();
    const history = page.getByTestId('history-dialog');
    await history.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
    const panel = history.getByTestId('exports');
    await panel.getByTestId(`export-restore-${exportId}`).click();
    // "as a new domain" first; the arrow key moves to "over DOMAIN"
    const asNew = panel.getByTestId('export-restore-as-new');
    await asNew.focus();
    await page.keyboard.press('ArrowRight');
    await expect(panel.getByTestId('export-restore-as-original').isChecked()).resolves.toBe(true);
    await expect(panel.getByTestId('export-restore-name').count()).resolves.toBe(0);
    await panel.getByTestId('export-restore-folder').fill(images.dir);
    await panel.getByTestId('export-restore-go').click();

    const confirm = page.getByTestId('export-restore-original-confirm');
    const text = confirm.getByTestId('export-restore-original-text');
    await text.waitFor({ timeout: 60_000 });
    const said = (await text.textContent()) ?? '';
    expect(said).toMatch(/is running: it is shut down/);
    expect(said).toContain(`export ${exportId}`);
    expect(said).toContain(d.disk); // kept, named
    expect(said).toMatch(/Nothing is deleted/);
    await gui.screenshot('export-restore-original-confirm', { height: 1100 });
    // nothing changed while it was shown
    expect(labVirsh(profile.libvirtUri, 'domblklist', d.uuid)).toContain(d.disk);

    // the safe answer has the focus: Tab reaches the confirm button, Enter presses it
    await expect(
      confirm
        .getByTestId('export-restore-original-cancel')
        .evaluate((b) => b === document.activeElement),
    ).resolves.toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    // while it runs: the disk's copy as a progress bar named by its disk, the bytes, rate and ETA
    // as its value text (the guest's stop after the copy keeps it on screen, full)
    const bar = confirm.getByRole('progressbar', { name: 'vda' });
    await bar.waitFor({ timeout: 60_000 });
    const shown = confirm.getByTestId('export-restore-progress');
    await expect(shown.textContent()).resolves.toMatch(/^vda.* (of .* · ETA |copied)/);
    await expect(bar.getAttribute('aria-valuetext')).resolves.toMatch(
      / of .* \(\d+ %\) · .*\/s · ETA /,
    );
    await gui.screenshot('export-restore-original-progress', { height: 1100 });
    // copied, the guest stopping: Cancel now is refused (a cancel is honoured only while the
    // disks are copied) and says so; the dialog stays and the restore completes
    await confirm.getByTestId('export-restore-original-switching').waitFor({ timeout: 60_000 });
    await confirm.getByTestId('export-restore-original-cancel').click();
    const refused = confirm.getByTestId('export-restore-original-cancel-error');
    await refused.waitFor({ timeout: 30_000 });
    await expect(refused.textContent()).resolves.toMatch(/can no longer be cancelled/);
    const done = panel.getByTestId('export-restore-done');
    await done.waitFor({ timeout: 180_000 });
    await confirm.waitFor({ state: 'detached' });
    const sentence = (await done.textContent()) ?? '';
    expect(sentence).toMatch(new RegExp(`^${d.name} now runs on ${images.dir}/`));
    expect(sentence).toContain(`its old images are kept: ${d.disk}`);
    await gui.screenshot('export-restore-original-done', { height: 1100 });

    const blk = labVirsh(profile.libvirtUri, 'domblklist', d.uuid, '--inactive');
    expect(blk).toContain(images.dir);
    expect(blk).not.toContain(d.disk);
    expect(labVirsh(profile.libvirtUri, 'domstate', d.uuid).trim()).toBe('running');
    expect(existsSync(d.disk)).toBe(true);
  },
  RUN_MS,
);
