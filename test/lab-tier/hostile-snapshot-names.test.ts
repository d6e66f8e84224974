import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  labHostDraft,
  labProfile,
  serviceHarness,
  type LabProfileShape,
} from '../support/service-harness';
import { labVirsh } from '../support/snapshot-helpers';
import { failIfLeftFrozen } from '../support/lab-guard';

/**
 * Lab tier: snapshot names made on the host by hand (plain virsh, as root) that are commands,
 * options, several words, quotes, Unicode or two lines in virsh's eyes. The history shows each as
 * it is and runs none of them; delete and merge act on exactly the snapshot named, and the others
 * stay (docs/ARCHITECTURE.md, "Host strings never enter virsh's command language").
 *
 * The injected command destroys a victim domain of this file's own (transient, paused, no disk)
 * rather than a lab guest, so a regression fails this test without breaking the lab for the
 * tiers after it. Every snapshot and overlay this file makes is removed after each test, failing
 * or not, and the agent guest's disk chain must be as it was found.
 */
const VICTIM = 'quiesce-hostile-victim';
const HOSTILE = [`x; destroy ${VICTIM}`, 'a b', '--current', 'it\'s "quoted"', 'ünïcødé ✓'];
/** libvirt allows a line break in a name (the contract refuses it for delete and revert). */
const TWO_LINES = 'line\nbreak';

let p: LabProfileShape;
let h: ReturnType<typeof serviceHarness>;
let hostId: string;
let uuid: string;
let imageDir: string;
let initialChain: string[];
let scratch: string;
/** What this file made, newest last: name and overlay file. */
let made: { name: string; overlay: string }[] = [];

const virsh = (...args: string[]) => labVirsh(p.libvirtUri, ...args);
const virshOk = (...args: string[]) => {
  try {
    virsh(...args);
    return true;
  } catch {
    return false;
  }
};
const topOf = () => virsh('domblklist', '--domain', uuid).match(/vda\s+(\S+)/)![1]!;
const qemuChain = () =>
  (
    JSON.parse(
      execFileSync('qemu-img', ['info', '-U', '--backing-chain', '--output=json', topOf()], {
        encoding: 'utf8',
      }),
    ) as { filename: string }[]
  ).map((l) => l.filename);
const isListed = (name: string) =>
  virshOk('snapshot-info', '--domain', uuid, '--snapshotname', name);
const victimState = () => {
  try {
    return virsh('domstate', '--domain', VICTIM).trim();
  } catch (e) {
    return `gone: ${(e as Error).message.trim()}`;
  }
};

/** External disk-only snapshots with metadata, made by hand in the given order. */
function makeByHand(names: readonly string[]): void {
  for (const name of names) {
    const overlay = join(imageDir, `hostile-lab-${made.length + 1}.qcow2`);
    made.push({ name, overlay });
    virsh(
      'snapshot-create-as',
      '--domain',
      uuid,
      '--name',
      name,
      '--description',
      `by hand ${made.length}`,
      '--disk-only',
      '--atomic',
      '--diskspec',
      `vda,snapshot=external,file=${overlay}`,
    );
  }
}

/**
 * Removes what this file made, whatever state a failure left: each snapshot still listed is
 * deleted by its exact name (libvirt merges its overlay), newest first; a chain still longer than
 * it was is merged back; an overlay no longer in use is removed. Then the chain must be the one
 * found at the start.
 */
function removeWhatWasMade(): void {
  const errors: string[] = [];
  for (const { name } of [...made].reverse()) {
    if (!isListed(name)) continue;
    if (!virshOk('snapshot-delete', '--domain', uuid, '--snapshotname', name))
      virshOk('snapshot-delete', '--domain', uuid, '--snapshotname', name, '--metadata');
  }
  if (qemuChain().length > initialChain.length)
    virshOk('blockcommit', '--domain', uuid, '--path', 'vda', '--active', '--pivot', '--wait');
  const inUse = qemuChain();
  for (const { name, overlay } of made) {
    if (isListed(name)) errors.push(`snapshot ${JSON.stringify(name)} is still listed`);
    if (existsSync(overlay) && !inUse.includes(overlay)) rmSync(overlay);
  }
  made = [];
  if (JSON.stringify(inUse) !== JSON.stringify(initialChain))
    errors.push(`the disk chain is ${inUse.join(' <- ')}, not ${initialChain.join(' <- ')}`);
  if (errors.length) throw new Error(errors.join('\n'));
}

beforeAll(async () => {
  p = labProfile();
  uuid = p.guests.find((g) => g.role === 'agent')!.uuid;
  // The other lab files leave no snapshot behind; this is their clean slate too (by exact name:
  // an earlier run of this file may have left a "--current").
  for (const name of virsh('snapshot-list', '--domain', uuid, '--name', '--topological')
    .split('\n')
    .reverse())
    if (name && isListed(name)) virsh('snapshot-delete', '--domain', uuid, '--snapshotname', name);
  initialChain = qemuChain();
  imageDir = dirname(initialChain[0]!);
  expect(initialChain, 'the agent guest starts from its one image').toHaveLength(1);

  scratch = mkdtempSync(join(tmpdir(), 'quiesce-hostile-'));
  chmodSync(scratch, 0o755);
  const victimXml = join(scratch, 'victim.xml');
  writeFileSync(
    victimXml,
    `<domain type='qemu'><name>${VICTIM}</name><memory unit='MiB'>16</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
        <controller type='usb' model='none'/><memballoon model='none'/></devices></domain>`,
  );
  if (!virshOk('domstate', '--domain', VICTIM)) virsh('create', victimXml, '--paused');

  h = serviceHarness({ knownHosts: readFileSync(p.knownHostsPath, 'utf8') });
  hostId = (await h.call('hosts.save', labHostDraft(p))).id;
  expect((await h.call('hosts.connect', { hostId })).status).toBe('connected');
});
failIfLeftFrozen({ cleanup: removeWhatWasMade });
afterAll(() => {
  h?.dispose();
  virshOk('destroy', '--domain', VICTIM);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('hostile snapshot names made on the host', () => {
  it('are listed exactly as they are, in order, and none of them runs', async () => {
    makeByHand([...HOSTILE, TWO_LINES]);
    const t0 = Date.now();
    const history = await h.call('history.list', { hostId, uuid });
    const ms = Date.now() - t0;
    // First what must never happen: a name run as a command.
    expect(victimState()).toBe('paused');
    expect(history.snapshots.map((s) => s.name)).toEqual([...HOSTILE, TWO_LINES]);
    expect(history.snapshots.map((s) => s.parent)).toEqual([null, ...HOSTILE]);
    expect(history.snapshots.map((s) => s.description)).toEqual(
      made.map((_, i) => `by hand ${i + 1}`),
    );
    for (const s of history.snapshots) expect(s.madeByQuiesce).toBe(false);
    expect(virsh('domstate', '--domain', uuid).trim()).toBe('running');
    console.info(`history of ${made.length} hostile snapshots: ${ms} ms`);
  });

  it('delete removes exactly the snapshot named, whatever the name', async () => {
    // "--current" is the oldest, so a name read as the option would hit another snapshot.
    makeByHand(['--current', ...HOSTILE.filter((n) => n !== '--current')]);
    const left = made.map((m) => m.name);
    for (const name of ['--current', `x; destroy ${VICTIM}`, 'a b', 'ünïcødé ✓']) {
      await h.call('history.delete', { hostId, uuid, name });
      left.splice(left.indexOf(name), 1);
      const history = await h.call('history.list', { hostId, uuid });
      expect(
        history.snapshots.map((s) => s.name),
        `after deleting ${name}`,
      ).toEqual(left);
      expect(made.filter((m) => isListed(m.name)).map((m) => m.name)).toEqual(left);
    }
    expect(victimState()).toBe('paused');
    // libvirt merged each deleted snapshot's overlay away: one layer is left above the image.
    expect(qemuChain()).toHaveLength(initialChain.length + 1);
  });

  it('revert on libvirt 9.0 changes nothing and says how, for the snapshot named', async () => {
    makeByHand(['--current', 'a b']);
    const err = await h.callError('history.revert', { hostId, uuid, name: '--current' });
    expect(err.message).toMatch(/not supported by libvirt 9\.0/);
    expect(err.remedy).toContain('--current');
    expect(made.every((m) => isListed(m.name))).toBe(true);
    expect(qemuChain()).toHaveLength(initialChain.length + 2);
    expect(virsh('domstate', '--domain', uuid).trim()).toBe('running');
  });

  it('merge folds the chain and forgets exactly these snapshots, two-line name included', async () => {
    makeByHand([...HOSTILE, TWO_LINES]);
    const { forgotten } = await h.call('history.merge', { hostId, uuid });
    expect([...forgotten].sort()).toEqual([...HOSTILE, TWO_LINES].sort());
    expect((await h.call('history.list', { hostId, uuid })).snapshots).toEqual([]);
    expect(made.filter((m) => isListed(m.name))).toEqual([]);
    expect(qemuChain()).toEqual(initialChain);
    expect(made.filter((m) => existsSync(m.overlay))).toEqual([]);
    expect(victimState()).toBe('paused');
  });
});

describe('many snapshots, through the test driver', () => {
  it('reads 50 snapshots with hostile names in one exec, each exactly', async () => {
    const names = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 0 ? `--n${i}` : i % 5 === 1 ? `n ${i}; list` : i % 5 === 2 ? `n\n${i}` : `n${i}`,
    );
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const snapshots = names.map(
      (n, i) =>
        `<test:domainsnapshot><name>${esc(n)}</name><state>running</state>` +
        `<creationTime>${1_700_000_000 + i}</creationTime><active>0</active>` +
        (i > 0 ? `<parent><name>${esc(names[i - 1]!)}</name></parent>` : '') +
        `</test:domainsnapshot>`,
    );
    const node = join(scratch, 'many-snapshots.xml');
    const testUuid = '5d3c1e0a-8d2b-4c6f-9e7a-1b2c3d4e5f60';
    writeFileSync(
      node,
      `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><domain type='test'>
        <name>many-snapshots</name><uuid>${testUuid}</uuid><memory>8192</memory>
        <os><type>hvm</type></os>${snapshots.join('\n')}</domain></node>`,
    );
    chmodSync(node, 0o644);
    const testHost = (
      await h.call(
        'hosts.save',
        labHostDraft(p, { name: 'lab-test', libvirtUri: `test://${node}` }),
      )
    ).id;
    expect((await h.call('hosts.connect', { hostId: testHost })).status).toBe('connected');
    const t0 = Date.now();
    const history = await h.call('history.list', { hostId: testHost, uuid: testUuid });
    const ms = Date.now() - t0;
    expect(history.snapshots.map((s) => s.name)).toEqual(names);
    console.info(`history of 50 snapshots (test driver, over SSH): ${ms} ms`);
  });
});
