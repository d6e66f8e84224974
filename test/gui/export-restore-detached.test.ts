/**
 * A restore from an export started by another app (here the real services in this process, as a
 * closed or restarted app would have started it) found in the history's Exports by this one:
 * restores are detached host operations (docs/export.md, "A restore as a host operation"), so
 * the Restores list reads them from the host's journals. Against the real lab: the first one
 * shows running with its disk's progress bar (named by the disk, bytes, rate and ETA as its value
 * text) and is cancelled from the list while it copies (nothing left); the second is followed to
 * its end and its outcome shown. The first copy runs at 2 MiB/s (the services' test-only
 * restoreCopyRate) so it is still copying when the page looks; the second, whose end is all the
 * page is asked about, is started by a third app at full speed. Screenshots:
 * export-restore-detached-running, export-restore-detached-cancelled, export-restore-detached-done.
 */
import { readdirSync } from 'node:fs';
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
let other: Awaited<ReturnType<typeof connectedLabSession>> | undefined;
let service: ReturnType<typeof serviceHarness> | undefined;
/** A third app, its restores not slowed: the one followed to its end. */
let fast: Awaited<ReturnType<typeof connectedLabSession>> | undefined;
/** The export's end, awaited once the window is connected. */
let exported: Promise<void> | undefined;
let domain: Awaited<ReturnType<typeof throwawayDomain>> | undefined;
const dirs: ReturnType<typeof exportDestination>[] = [];
const defined: string[] = [];
let exportId = '';
let dest = '';
const RUN_MS = 300_000;

useGui({
  timeoutMs: RUN_MS,
  // The domain and its export start while the GUI starts; the window connects while it copies.
  prepare: async () => {
    profile = readLabProfile();
    const agent = profile.guests.find((x) => x.role === 'agent')!;
    // 40 MiB written: about 20 s of copy at 2 MiB/s
    [domain, other, fast] = await Promise.all([
      throwawayDomain(profile.libvirtUri, agent.uuid, { diskMiB: 128, filledMiB: 40 }),
      connectedLabSession({ restoreCopyRate: 2 << 20 }),
      connectedLabSession(),
    ]);
    service = other.h;
    const d = exportDestination('gui-detached');
    dirs.push(d);
    dest = d.dir;
    const { opId } = await service.call('export.start', {
      hostId: other.hostId,
      uuid: domain.uuid,
      dest,
      mode: 'full',
    });
    exportId = opId;
    exported = waitExport(service, other.hostId, opId, RUN_MS).then((s) => {
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
  for (const name of defined) {
    try {
      labVirsh(profile.libvirtUri, 'undefine', name);
    } catch {
      /* never defined */
    }
  }
  service?.dispose();
  fast?.h.dispose();
  domain?.remove();
  for (const d of dirs) d.remove();
}, RUN_MS);

/**
 * A restore as a new domain started by another app (`app`: the slowed one unless said); its call
 * is not this page's.
 */
function startElsewhere(name: string, app = other!) {
  const images = exportDestination(`gui-detached-${name.slice(-6)}`);
  dirs.push(images);
  defined.push(name);
  const call = app.h.call('export.restore', {
    hostId: app.hostId,
    uuid: domain!.uuid,
    dest,
    exportId,
    name,
    folder: images.dir,
  });
  call.catch(() => undefined);
  return { images, call };
}

it(
  'finds a restore another app started, cancels one while it copies, shows another’s outcome',
  async () => {
    const { page } = gui;
    const d = domain!;
    const first = startElsewhere(`${d.name}-cancelled`);
    await page.getByTestId(`history-open-${d.name}`).click();
    const history = page.getByTestId('history-dialog');
    await history.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
    const list = history.getByTestId('restore-runs');
    const running = list.locator('[data-testid="restore-run"][data-state="running"]');
    await running.first().waitFor({ timeout: 60_000 });
    await expect(running.first().textContent()).resolves.toContain(
      `as ${d.name}-cancelled from export ${exportId}`,
    );
    const bar = running.first().getByRole('progressbar', { name: 'vda' });
    await bar.waitFor({ timeout: 60_000 });
    await expect(bar.getAttribute('aria-valuetext')).resolves.toMatch(
      / of .* \(\d+ %\) · .*\/s · ETA /,
    );
    await gui.screenshot('export-restore-detached-running', { height: 1700 });
    await running.first().getByTestId('restore-run-cancel').click();
    const cancelled = list
      .locator('[data-testid="restore-run"]')
      .filter({ hasText: `${d.name}-cancelled` })
      .getByTestId('restore-run-outcome');
    await cancelled.waitFor({ timeout: 60_000 });
    await expect(cancelled.textContent()).resolves.toBe(
      'Cancelled during the copy: no image was left and no domain defined.',
    );
    await expect(first.call).resolves.toMatchObject({ cancelled: true });
    expect(readdirSync(first.images.dir)).toEqual([]);
    expect(labVirsh(profile.libvirtUri, 'list', '--all', '--name')).not.toContain(
      `${d.name}-cancelled`,
    );
    await gui.screenshot('export-restore-detached-cancelled', { height: 1700 });

    // Followed to its end only: copied at full speed, by a third app.
    const second = startElsewhere(`${d.name}-restored`, fast!);
    const row = list
      .locator('[data-testid="restore-run"]')
      .filter({ hasText: `${d.name}-restored` });
    await row.waitFor({ timeout: 60_000 });
    const done = row.getByTestId('restore-run-outcome');
    await done.waitFor({ timeout: 180_000 });
    await expect(done.textContent()).resolves.toMatch(
      new RegExp(`^Defined ${d.name}-restored with 1 disk \\(${second.images.dir}/`),
    );
    await expect(second.call).resolves.toMatchObject({ name: `${d.name}-restored` });
    expect(labVirsh(profile.libvirtUri, 'list', '--all', '--name')).toContain(`${d.name}-restored`);
    await gui.screenshot('export-restore-detached-done', { height: 1700 });
  },
  RUN_MS,
);
