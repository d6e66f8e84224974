/**
 * Exporting an existing snapshot from the export dialog, against the real lab: "What to export"
 * offers "Now" and the domain's snapshots (newest first, with their label and date), reached by
 * keyboard; picking one makes the kind full only (a snapshot has no checkpoint), the export runs
 * with no freeze and ends labelled as the snapshot was; the export is listed, and its
 * "Restore…" form opens. Screenshots: export-snapshot-choice, export-snapshot-done,
 * export-restore-form.
 * The agent guest gets two snapshots (the older one is exported: its frozen image is the
 * guest's own disk) and is put back as it was found (test/support/agent-guest-restore.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readLabProfile, type LabGuest, type LabProfile } from '../lab/lab';
import { captureAgentGuest, type AgentGuestSnapshot } from '../support/agent-guest-restore';
import { exportDestination } from '../support/export-guest';
import { connectedLabSession, type serviceHarness } from '../support/service-harness';
import { waitForEnd } from '../support/snapshot-helpers';
import { ExportManifestSchema } from '../../shared/export';
import { connectLabListing, useGui, type Gui } from './harness';

let gui: Gui;
let profile: LabProfile;
let agent: LabGuest;
let service: ReturnType<typeof serviceHarness> | undefined;
let found: AgentGuestSnapshot | undefined;
let dest: ReturnType<typeof exportDestination> | undefined;
const stamp = Date.now().toString(36);
const older = `gui-xs1-${stamp}`;
const newer = `gui-xs2-${stamp}`;
const RUN_MS = 300_000;

useGui({
  timeoutMs: RUN_MS,
  prepare: async () => {
    profile = readLabProfile();
    agent = profile.guests.find((x) => x.role === 'agent')!;
    found = await captureAgentGuest(profile.libvirtUri, agent.uuid, agent.name);
    const session = await connectedLabSession();
    service = session.h;
    for (const name of [older, newer]) {
      const { opId } = await service.call('snapshot.start', {
        hostId: session.hostId,
        uuid: agent.uuid,
        name,
      });
      const s = await waitForEnd(service, opId, RUN_MS);
      expect(s, JSON.stringify(s)).toMatchObject({
        state: 'succeeded',
        label: { kind: 'quiesced' },
      });
    }
    dest = exportDestination('gui-snap');
  },
  // The window connects while the snapshots are made: the guest is listed already.
  connect: (g) => connectLabListing(g.page),
  setup: (g) => {
    gui = g;
  },
});

afterAll(async () => {
  service?.dispose();
  dest?.remove();
  await found?.restore();
}, RUN_MS);

it(
  'exports an existing snapshot picked in the dialog, with no freeze; its Restore… form opens',
  async () => {
    const { page } = gui;
    await page.getByTestId(`history-open-${agent.name}`).click();
    const history = page.getByTestId('history-dialog');
    await history.locator('.history[data-loaded="yes"]').waitFor({ timeout: 60_000 });
    const panel = history.getByTestId('exports');
    await panel.getByTestId('export-open').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();

    // "Now" is the default; the arrow key moves the radio group to "An existing snapshot"
    const now = dialog.getByTestId('export-source-now');
    const fromSnap = dialog.getByTestId('export-source-snapshot');
    await expect(now.isChecked()).resolves.toBe(true);
    await expect.poll(() => fromSnap.isEnabled(), { timeout: 60_000 }).toBe(true);
    await now.focus();
    await page.keyboard.press('ArrowDown');
    await expect(fromSnap.isChecked()).resolves.toBe(true);

    // newest first, each with its label and date; the newest is picked to begin with
    const select = dialog.getByRole('combobox', { name: /Snapshot/ });
    await select.waitFor();
    const options = await select.locator('option').allTextContents();
    expect(options.map((o) => o.split(' · ')[0])).toEqual([newer, older]);
    for (const o of options) expect(o).toMatch(/ · Quiesced · 1 filesystem · .*\d\d:\d\d:\d\d/);
    await expect(select.inputValue()).resolves.toBe(newer);
    await select.selectOption(older);
    await expect(dialog.getByTestId('export-snapshot-label').textContent()).resolves.toMatch(
      /^Quiesced · 1 filesystem · blocked writes for [\d.]+ ms when it was cut$/,
    );
    // a snapshot's export is full only, and the dialog says why
    await expect(dialog.getByTestId('export-mode-incremental').isDisabled()).resolves.toBe(true);
    await expect(dialog.getByTestId('export-mode-full').isChecked()).resolves.toBe(true);
    await expect(dialog.getByTestId('export-mode-why').textContent()).resolves.toMatch(
      /always full: a snapshot has no checkpoint/,
    );
    await expect(dialog.getByTestId('export-freeze-note').textContent()).resolves.toMatch(
      /Nothing of the guest is frozen/,
    );

    await dialog.getByTestId('export-dest').fill(dest!.dir);
    await dialog.getByTestId('export-check-space').click();
    const space = dialog.getByTestId('export-space');
    await expect.poll(() => space.getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    const start = dialog.getByTestId('export-start');
    await expect(start.textContent()).resolves.toBe('Export snapshot');
    await gui.screenshot('export-snapshot-choice', { height: 1100 });

    await start.click();
    const run = dialog.getByTestId('export-run');
    await run.waitFor();
    await expect(dialog.getByTestId('export-run-snapshot').textContent()).resolves.toContain(older);
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 180_000 }).toBe('succeeded');
    await expect(dialog.getByTestId('export-status').textContent()).resolves.toMatch(
      new RegExp(
        `^Exported snapshot ${older} \\(full\\): quiesced \\(1 filesystem, as its snapshot run froze them\\); no freeze of its own, in /`,
      ),
    );
    await gui.screenshot('export-snapshot-done', { height: 1100 });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(history.isVisible()).resolves.toBe(true);

    // on the host: one export, whose manifest names the snapshot and has no window of its own
    const ids = readdirSync(join(dest!.dir, agent.uuid));
    expect(ids).toHaveLength(1);
    const id = ids[0]!;
    const m = ExportManifestSchema.parse(
      JSON.parse(readFileSync(join(dest!.dir, agent.uuid, id, 'manifest.json'), 'utf8')),
    );
    expect(m).toMatchObject({ snapshot: older, mode: 'full', consistency: { label: 'quiesced' } });
    expect(m.consistency).not.toHaveProperty('windowMs');

    // the host's list holds this export (and any earlier ones of the guest, from other runs)
    const restore = panel.getByTestId(`export-restore-${id}`);
    await restore.waitFor({ timeout: 30_000 });
    const row = panel
      .getByTestId('export-row')
      .filter({ has: page.getByTestId(`export-restore-${id}`) });
    await expect(row.textContent()).resolves.toContain(dest!.dir);
    // the restore form only opens here (restoring is export.test.ts's and the lab tier's)
    await restore.click();
    const name = panel.getByTestId('export-restore-name');
    await name.waitFor();
    await expect(name.inputValue()).resolves.toBe(`${agent.name}-restored`);
    await panel.getByTestId('export-restore-folder').fill(dest!.dir);
    await gui.screenshot('export-restore-form', { height: 1400 });
  },
  RUN_MS,
);
