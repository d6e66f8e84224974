/**
 * The export UI against the real lab: from a domain's history, "Export…" opens the dialog
 * (destination, full or incremental, the space check), the export's progress shows until it
 * ends, and the history lists the export with its destination and verification state.
 * Screenshots: export-dialog, export-space-refused, export-progress, export-history,
 * export-copy, export-delete-confirm.
 * A transient guest with a 1 GiB data disk (512 MiB written) makes the copy last long enough to
 * be seen; it is destroyed at the end with every file made, as are its exports.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readLabProfile, type LabProfile } from '../lab/lab';
import { exportDestination, exportGuest } from '../support/export-guest';
import { connectLab, useGui, type Gui } from './harness';

let gui: Gui;
let profile: LabProfile;
let big: Awaited<ReturnType<typeof exportGuest>> | undefined;
let dest: ReturnType<typeof exportDestination> | undefined;
const RUN_MS = 240_000;

useGui({
  timeoutMs: RUN_MS,
  prepare: async () => {
    profile = readLabProfile();
    const agent = profile.guests.find((x) => x.role === 'agent')!;
    big = await exportGuest(profile.libvirtUri, agent.uuid, { diskMiB: 1024, filledMiB: 512 });
    dest = exportDestination('gui');
  },
  setup: async (g) => {
    gui = g;
    await connectLab(gui.page, profile);
    await gui.page.getByTestId(`history-open-${big!.name}`).waitFor({ timeout: 60_000 });
  },
});

afterAll(() => {
  big?.remove();
  dest?.remove();
}, RUN_MS);

it(
  'exports from the history: destination, space check, progress, then the export listed and verified',
  async () => {
    const { page } = gui;
    const name = big!.name;
    await page.getByTestId(`history-open-${name}`).click();
    const history = page.getByTestId('history-dialog');
    await history.waitFor();
    const panel = history.getByTestId('exports');
    await panel.getByText(`No export of ${name} from this host yet.`).waitFor();
    await panel.getByTestId('export-open').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();

    // a folder QEMU cannot reach is refused before anything starts
    await dialog.getByTestId('export-dest').fill('/root');
    await dialog.getByTestId('export-check-space').click();
    const space = dialog.getByTestId('export-space');
    await expect.poll(() => space.getAttribute('data-ok'), { timeout: 30_000 }).toBe('false');
    await expect(dialog.getByTestId('export-start').isDisabled()).resolves.toBe(true);
    await gui.screenshot('export-space-refused', { height: 1000 });

    await dialog.getByTestId('export-dest').fill(dest!.dir);
    await dialog.getByTestId('export-mode-full').check();
    await dialog.getByTestId('export-check-space').click();
    await expect.poll(() => space.getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    await expect(space.textContent()).resolves.toMatch(
      /free; a full export takes at most 1\.0 GiB/,
    );
    await gui.screenshot('export-dialog', { height: 1000 });

    await dialog.getByTestId('export-start').click();
    const run = dialog.getByTestId('export-run');
    await run.waitFor();
    const status = dialog.getByTestId('export-status');
    // the copy under way, if the page sees it before it ends (it takes about a second here)
    await status
      .filter({ hasText: /of 1\.0 GiB/ })
      .or(run.and(page.locator('[data-state="succeeded"]')))
      .first()
      .waitFor({ timeout: 120_000 });
    await gui.screenshot('export-progress', { height: 1000 });
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 120_000 }).toBe('succeeded');
    await expect(status.textContent()).resolves.toMatch(/Exported full: quiesced/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Escape in the export dialog closed only it: the history is still open
    await expect(history.isVisible()).resolves.toBe(true);

    const row = panel.getByTestId('export-row');
    await row.waitFor({ timeout: 30_000 });
    await expect(row.getAttribute('data-verification')).resolves.toBe('never');
    await expect(row.textContent()).resolves.toContain(dest!.dir);
    await row.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row.getAttribute('data-verification'), { timeout: 120_000 }).toBe('ok');
    await expect(row.textContent()).resolves.toMatch(/full, 1\.0 GiB copied — verified/);
    await gui.screenshot('export-history', { height: 1400 });
    // the export is on the host where the history says
    const folders = readdirSync(`${dest!.dir}/${big!.uuid}`);
    expect(folders).toHaveLength(1);
    expect(readdirSync(`${dest!.dir}/${big!.uuid}/${folders[0]}`).sort()).toEqual([
      'manifest.json',
      'vda.qcow2',
    ]);

    // an incremental on it (the dialog remembers the destination), then the full one deleted:
    // the confirmation lists both, since the incremental cannot be read without it
    await panel.getByTestId('export-open').click();
    await dialog.waitFor();
    await expect(dialog.getByTestId('export-dest').inputValue()).resolves.toBe(dest!.dir);
    await dialog.getByTestId('export-check-space').click();
    await expect.poll(() => space.getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    await dialog.getByTestId('export-start').click();
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 120_000 }).toBe('succeeded');
    await expect(status.textContent()).resolves.toMatch(/Exported incremental: quiesced/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => panel.getByTestId('export-row').count(), { timeout: 30_000 }).toBe(2);
    const fullId = folders[0]!;
    const incId = readdirSync(`${dest!.dir}/${big!.uuid}`).find((f) => f !== fullId)!;

    // the incremental copied to this computer: its full export comes along
    const ws = mkdtempSync(join(tmpdir(), 'quiesce-export-gui-ws-'));
    try {
      await panel.getByTestId(`export-copy-${incId}`).click();
      const form = panel.getByTestId(`export-copy-form-${incId}`);
      await form.getByTestId('export-copy-folder').fill(ws);
      await form.getByTestId('export-copy-start').click();
      await form
        .getByTestId('export-copy-done')
        .filter({ hasText: /Copied 2 exports .* checksums checked/ })
        .waitFor({ timeout: 120_000 });
      await gui.screenshot('export-copy', { height: 1000 });
      expect(readdirSync(join(ws, big!.uuid)).sort()).toEqual([fullId, incId].sort());
      expect(readdirSync(join(ws, big!.uuid, incId)).sort()).toEqual([
        'manifest.json',
        'vda.qcow2',
      ]);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }

    await panel.getByTestId(`export-delete-${fullId}`).click();
    const confirm = page.getByTestId('export-prune-confirm');
    await confirm.waitFor();
    await expect(confirm.getByTestId('export-prune-plan').locator('li').count()).resolves.toBe(2);
    await gui.screenshot('export-delete-confirm', { height: 1000 });
    await confirm.getByTestId('export-prune-yes').click();
    await confirm.waitFor({ state: 'detached' });
    await panel.getByTestId('export-deleted').filter({ hasText: 'Deleted 2 exports.' }).waitFor();
    await expect
      .poll(async () => (await panel.getByTestId('export-row').allTextContents()).join('|'), {
        timeout: 30_000,
      })
      .toMatch(/gone from the destination.*\|.*gone from the destination/);
    expect(readdirSync(`${dest!.dir}/${big!.uuid}`)).toEqual([]);
    await expect(history.isVisible()).resolves.toBe(true);
  },
  RUN_MS,
);
