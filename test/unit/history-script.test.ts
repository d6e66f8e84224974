import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import historyScript from '../../electron/services/host-scripts/history.sh?raw';
import { gatherScript } from '../../electron/services/host-scripts/gather-script';
import { buildHistory } from '../../electron/services/history/history';
import { parseGatherOutput } from '../../electron/services/inventory/gather-output';

/**
 * history.sh as shipped, under dash, bash and busybox sh, against a virsh that answers what the
 * lab's libvirt answered for snapshots with hostile names (test/fixtures/history/
 * hostile-names.ndjson): its `snapshot-list` (names and table), each snapshot's XML looked up by
 * the exact name asked for, and its disk listings. It records every call: the name must arrive
 * as one argument after --snapshotname, and no call may feed virsh commands on its input.
 */
const UUID = '566becf2-59d2-42dd-a88d-116e0c33641a';
const URI = 'qemu:///system';
const HOSTILE = [
  'x; destroy quiesce-hostile-victim',
  'a b',
  '--current',
  'it\'s "quoted"',
  'ünïcødé ✓',
  'line\nbreak',
];
const SHELLS = [['dash'], ['bash'], ['busybox', 'sh']];

const dir = mkdtempSync(join(tmpdir(), 'quiesce-history-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const captured = parseGatherOutput(
  readFileSync('test/fixtures/history/hostile-names.ndjson', 'utf8'),
).captures;
const answers = {
  version: captured.get('version')!.out,
  names: captured.get('list')!.out,
  table: captured.get('table')!.out,
  disks: captured.get('disks')!.out,
  blockstats: captured.get('blockstats')!.out,
  docs: [...captured].filter(([id]) => id.startsWith('snap:')).map(([, c]) => c.out),
};
writeFileSync(join(dir, 'answers.json'), JSON.stringify(answers));

/** The fake virsh: Node, so that it can look a snapshot up by its exact name. */
const FAKE_VIRSH = `#!/usr/bin/env node
const fs = require('fs');
const dir = ${JSON.stringify(dir)};
const a = JSON.parse(fs.readFileSync(dir + '/answers.json', 'utf8'));
const argv = process.argv.slice(2);
let stdin = '';
const words = argv.filter((w, i) => !w.startsWith('-') && argv[i - 1] !== '-c');
if (words.length === 0) { try { stdin = fs.readFileSync(0, 'utf8'); } catch {} }
fs.appendFileSync(dir + '/calls.jsonl', JSON.stringify({ argv, stdin }) + '\\n');
const opt = (name) => { const i = argv.indexOf(name); return i < 0 ? undefined : argv[i + 1]; };
const unxml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'")
  .replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const out = (s) => { process.stdout.write(s); process.exit(0); };
switch (words[0]) {
  case 'version': out(a.version);
  case 'snapshot-list': out(argv.includes('--name') ? a.names : a.table);
  case 'domblklist': out(a.disks);
  case 'domstats': out(a.blockstats);
  case 'snapshot-dumpxml': {
    const name = opt('--snapshotname');
    const doc = a.docs.find((d) => unxml(/<name>([\\s\\S]*?)<\\/name>/.exec(d)[1]) === name);
    if (doc !== undefined) out(doc);
    process.stderr.write("error: Domain snapshot not found: no domain snapshot with matching name '" + name + "'\\n");
    process.exit(1);
  }
}
process.stderr.write('error: unexpected call\\n');
process.exit(1);
`;
writeFileSync(join(dir, 'virsh'), FAKE_VIRSH);
chmodSync(join(dir, 'virsh'), 0o755);
writeFileSync(join(dir, 'qemu-img'), '#!/bin/sh\nexit 1\n');
chmodSync(join(dir, 'qemu-img'), 0o755);

function runHistoryScript(shell: string[]) {
  rmSync(join(dir, 'calls.jsonl'), { force: true });
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-s', '--', URI, UUID, join(dir, 'host')], {
    input: gatherScript(historyScript),
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
  });
  const calls = readFileSync(join(dir, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { argv: string[]; stdin: string });
  return { status: r.status, stdout: r.stdout, calls };
}

describe.each(SHELLS)('history.sh under %s', (...shell) => {
  it('reads each hostile name as it is, one virsh process per snapshot, the name one argument', () => {
    const r = runHistoryScript(shell);
    expect(r.status).toBe(0);
    const history = buildHistory(parseGatherOutput(r.stdout), URI);
    expect(history.snapshots.map((s) => s.name)).toEqual(HOSTILE);

    // Nothing went to virsh's own command language: every call names its command in argv.
    expect(r.calls.filter((c) => c.stdin !== '' || !c.argv.some((w) => /^[a-z]/.test(w)))).toEqual(
      [],
    );
    // The reads run a few at a time, so in any order.
    const reads = r.calls.filter((c) => c.argv.includes('snapshot-dumpxml')).map((c) => c.argv);
    const byName = (x: string[], y: string[]) => (x.at(-1)! < y.at(-1)! ? -1 : 1);
    expect(reads.sort(byName)).toEqual(
      HOSTILE.map((name) => [
        '-c',
        URI,
        'snapshot-dumpxml',
        '--domain',
        UUID,
        '--snapshotname',
        name,
      ]).sort(byName),
    );
  });
});
