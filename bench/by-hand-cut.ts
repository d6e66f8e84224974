/**
 * The window bench's references, done by hand from this machine as root in one interactive virsh
 * session (the way the runner does it on the host, test/support/virsh-session.ts):
 *
 * - the floor: `domfsfreeze`, then at once `domfsthaw`, nothing between;
 * - the no-metadata cut: the runner's own cut — overlays pre-created before the freeze, the same
 *   snapshot XML, `--disk-only --atomic --reuse-external` — with `--no-metadata` added, so libvirt
 *   saves no snapshot metadata inside the window. Without metadata there is no snapshot to delete
 *   afterwards: `undoNoMetadataCut` merges the overlay back (`blockcommit --active --shallow --pivot`) and
 *   removes its file.
 *
 * Only the UUID and paths this module made enter the session's command language.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LabGuestHandle } from '../test/support/lab-guest.js';
import { VirshSession } from '../test/support/virsh-session.js';
import { BenchError } from './util.js';

export interface HandRun {
  /** Session commands from the freeze sent to the thaw answered, ms (this machine's clock). */
  windowMs: number;
  /** The whole by-hand run (session start, overlay, freeze, cut, thaw), ms. */
  wallMs: number;
}

/** `Froze N` / `Thawed N`: the count, if the answer says one. */
const countIn = (out: string, word: 'Froze' | 'Thawed') =>
  Number(new RegExp(`${word} (\\d+) filesystem`).exec(out)?.[1] ?? Number.NaN);

/**
 * Freezes, runs `between` (nothing for the floor), thaws: the thaw is sent on every path, and a
 * freeze that froze nothing, a failed cut or an unconfirmed thaw is a BenchError.
 */
async function freezeThaw(
  uri: string,
  uuid: string,
  between?: (s: VirshSession) => Promise<string | undefined>,
): Promise<HandRun> {
  const t0 = performance.now();
  const s = await VirshSession.open(uri);
  try {
    const start = performance.now();
    const freeze = await s.send(`domfsfreeze ${uuid}`);
    let failed: string | undefined;
    const froze = countIn(freeze.out, 'Froze');
    if (freeze.error || !(froze > 0)) failed = `domfsfreeze: ${freeze.out.trim()}`;
    else failed = await between?.(s);
    const thaw = await s.send(`domfsthaw ${uuid}`);
    const windowMs = performance.now() - start;
    if (failed) throw new BenchError(failed);
    if (thaw.error || countIn(thaw.out, 'Thawed') !== froze)
      throw new BenchError(`domfsthaw after ${froze} frozen: ${thaw.out.trim()}`);
    return { windowMs, wallMs: performance.now() - t0 };
  } finally {
    await s.close();
  }
}

export function floorRun(uri: string, uuid: string): Promise<HandRun> {
  return freezeThaw(uri, uuid);
}

/** The overlay the runner would name for snapshot `name` of the image `top`. */
export function overlayPath(top: string, name: string): string {
  const root = path.basename(top).split('.')[0];
  return path.join(path.dirname(top), `${root}.${name}.qcow2`);
}

/** The runner's cut, with `--no-metadata`; returns the overlay it put on vda. */
export async function noMetadataRun(
  guest: LabGuestHandle,
  uri: string,
  uuid: string,
  name: string,
): Promise<HandRun & { overlay: string }> {
  const top = await guest.topImage();
  if (!top) throw new BenchError(`virsh domblklist ${guest.domain} shows no vda disk`);
  const others = (await guest.virsh('domblklist', guest.domain, '--details')).stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === 'disk' && f[2] !== 'vda');
  if (others.length > 0)
    throw new BenchError(`${guest.domain} has disks besides vda: the by-hand cut covers vda only`);
  const overlay = overlayPath(top, name);
  // As the runner does: format and size from libvirt's view, backing image left unopened (-u).
  const info = JSON.parse(
    execFileSync('qemu-img', ['info', '-U', '--output=json', top], { encoding: 'utf8' }),
  ) as { format: string; 'virtual-size': number };
  execFileSync('qemu-img', [
    'create',
    '-q',
    '-u',
    '-f',
    'qcow2',
    '-F',
    info.format,
    '-b',
    top,
    overlay,
    String(info['virtual-size']),
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'quiesce-bench-cut-'));
  try {
    const xml = path.join(dir, 'snapshot.xml');
    writeFileSync(
      xml,
      `<domainsnapshot><name>${name}</name><description>quiesce bench: --no-metadata cut</description>` +
        `<disks><disk name='vda' snapshot='external'><driver type='qcow2'/><source file='${overlay}'/></disk></disks></domainsnapshot>\n`,
    );
    const run = await freezeThaw(uri, uuid, async (s) => {
      const cut = await s.send(
        `snapshot-create ${uuid} ${xml} --disk-only --atomic --reuse-external --no-metadata`,
      );
      return cut.error || !cut.out.includes(`Domain snapshot ${name} created`)
        ? `snapshot-create --no-metadata: ${cut.out.trim()}`
        : undefined;
    });
    return { ...run, overlay };
  } catch (err) {
    // Not cut: the overlay is nobody's. Cut (a thaw that failed after it): undo as usual.
    if ((await guest.topImage()) === overlay) await undoNoMetadataCut(guest, overlay);
    else rmSync(overlay, { force: true });
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Merges a no-metadata overlay back into the image under it and removes its file; says what went
 * wrong, if anything. Only when vda's top is that overlay (libvirt's word), so nothing in use is
 * ever removed.
 */
export async function undoNoMetadataCut(
  guest: LabGuestHandle,
  overlay: string,
): Promise<string | undefined> {
  if ((await guest.topImage()) === overlay) {
    // --shallow: into the image right under it, whatever else the chain holds.
    const r = await guest.virsh(
      'blockcommit',
      guest.domain,
      'vda',
      '--active',
      '--shallow',
      '--pivot',
      '--wait',
    );
    if (r.code !== 0 || (await guest.topImage()) === overlay)
      return `virsh blockcommit ${guest.domain} vda --active --pivot: ${(r.stderr || r.stdout).trim()}`;
  }
  rmSync(overlay, { force: true });
  return undefined;
}
