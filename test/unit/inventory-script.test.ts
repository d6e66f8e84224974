import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import inventoryScript from '../../electron/services/host-scripts/inventory.sh?raw';
import { gatherScript } from '../../electron/services/host-scripts/gather-script';
import { buildInventory } from '../../electron/services/inventory/inventory';
import {
  parseGatherOutput,
  type Capture,
  type GatherOutput,
} from '../../electron/services/inventory/gather-output';
import { testDomains, testNodeXml, type TestDomain } from '../lab/test-driver';

/**
 * inventory.sh as shipped, under dash, bash and busybox sh, against the real virsh and libvirt's
 * test driver (a node file, no daemon): what it gathers in one virsh session must be what each
 * command answers on its own, so the inventory is the same; only UUIDs reach virsh's command
 * language; a command that fails inside the session is reported as that command's failure.
 * A wrapper named virsh first on PATH records each call and can make the session's `list` fail
 * or the session die early; it runs the real virsh otherwise.
 */
const REAL_VIRSH = execFileSync('sh', ['-c', 'command -v virsh || true'], {
  encoding: 'utf8',
}).trim();
const SHELLS = [['dash'], ['bash'], ['busybox', 'sh']];

const hex = (i: number) => i.toString(16).padStart(12, '0');
/** Names virsh's command language, a shell or a line-splitter would misread. */
const HOSTILE = [
  'x; destroy victim',
  '--all',
  'it\'s "quoted"',
  'semi;colon$HOME',
  'error: not an error',
  'quiesce.x.1.',
  'virsh # dumpxml',
];
const DOMAINS: TestDomain[] = [
  ...testDomains(30),
  ...HOSTILE.map((name, i) => ({
    name,
    uuid: `00000000-0000-4000-8000-${hex(i + 1)}`,
    state: (i % 3 === 2 ? 'shut off' : 'running') as TestDomain['state'],
    agentChannel: i % 2 === 0,
  })),
];

const dir = mkdtempSync(join(tmpdir(), 'quiesce-inventory-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'node.xml'), testNodeXml(DOMAINS));
const URI = `test://${join(dir, 'node.xml')}`;

/** The wrapper: Node, so that it can record argv and stdin as JSON. */
writeFileSync(
  join(dir, 'virsh'),
  `#!/usr/bin/env node
const fs = require('fs');
const { spawnSync } = require('child_process');
let argv = process.argv.slice(2);
let stdin = '';
// Only a call with no command reads its input: any other would eat the script sh reads from its own.
const words = argv.filter((w, i) => !w.startsWith('-') && argv[i - 1] !== '-c');
if (words.length === 0) { try { stdin = fs.readFileSync(0, 'utf8'); } catch {} }
fs.appendFileSync(${JSON.stringify(join(dir, 'calls.jsonl'))}, JSON.stringify({ argv, stdin }) + '\\n');
const mode = process.env.FAKE_MODE;
const last = argv.at(-1);
let dieWith;
if (last.includes('; echo --err ')) {
  if (mode === 'fail-list')
    argv = [...argv.slice(0, -1), last.replace('list --all --uuid --name;', 'dumpxml 00000000-0000-0000-0000-000000000000;')];
  if (mode === 'names-in-running')
    argv = [...argv.slice(0, -1), last.replace('list --uuid --state-running;', 'list --uuid --name --state-running;')];
  if (mode === 'die-after-version') {
    argv = [...argv.slice(0, -1), /^version; echo --err \\S+; echo '[^']*'; /.exec(last)[0]];
    dieWith = 3;
  }
}
const r = spawnSync(${JSON.stringify(REAL_VIRSH)}, argv, { input: stdin, stdio: ['pipe', 'inherit', 'inherit'] });
process.exit(dieWith ?? r.status ?? 1);
`,
);
chmodSync(join(dir, 'virsh'), 0o755);

interface Call {
  argv: string[];
  stdin: string;
}

/** A host whose mkfifo fails (no FIFO where the script keeps its files). */
const noFifo = join(dir, 'no-fifo');
mkdirSync(noFifo);
writeFileSync(
  join(noFifo, 'mkfifo'),
  '#!/bin/sh\necho "mkfifo: Operation not permitted" >&2\nexit 1\n',
);
chmodSync(join(noFifo, 'mkfifo'), 0o755);

function runInventory(shell: string[], mode = '', uri = URI, path = dir) {
  rmSync(join(dir, 'calls.jsonl'), { force: true });
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-s', '--', uri, '3', '16'], {
    input: gatherScript(inventoryScript),
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path}:${process.env.PATH ?? ''}`, FAKE_MODE: mode },
  });
  const calls = readFileSync(join(dir, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Call);
  return { status: r.status, stderr: r.stderr, g: parseGatherOutput(r.stdout), calls };
}

/** What each command answers run on its own: the inventory as it was gathered before sessions. */
function alone(...args: string[]): Capture {
  const r = spawnSync(REAL_VIRSH, ['-q', '-c', URI, ...args], { encoding: 'utf8' });
  return { rc: r.status ?? -1, ms: null, out: r.stdout, err: r.stderr };
}
function gatheredAlone(): GatherOutput {
  const running = alone('list', '--uuid', '--state-running').out.trim().split('\n');
  const xml = spawnSync(REAL_VIRSH, ['-q', '-c', URI], {
    input: running.map((u) => `dumpxml ${u}\n`).join(''),
    encoding: 'utf8',
  });
  return {
    noVirsh: false,
    captures: new Map([
      [
        'virsh-version',
        {
          rc: 0,
          ms: null,
          out: execFileSync(REAL_VIRSH, ['--version'], { encoding: 'utf8' }),
          err: '',
        },
      ],
      ['version', alone('version')],
      ['list', alone('list', '--all', '--uuid', '--name')],
      ['states', alone('domstats', '--state')],
      ['xml', { rc: xml.status ?? -1, ms: null, out: xml.stdout, err: xml.stderr }],
    ]),
  };
}
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}
/** domstats lists domains in no fixed order: compared as a set of blocks. */
const blocks = (out: string) =>
  out
    .split('\n\n')
    .map((b) => b.trim())
    .filter(Boolean)
    .sort();

describe('inventory.sh', () => {
  it('runs where virsh is installed', () => {
    expect(REAL_VIRSH, 'virsh (libvirt-clients) is needed for this test').not.toBe('');
  });

  let gathered: GatherOutput | undefined;
  const expected = () => (gathered ??= gatheredAlone());

  describe.each(SHELLS)('under %s', (...shell) => {
    it('gathers in one session what each command answers alone, names never in virsh commands', () => {
      const r = runInventory(shell);
      expect(r.status).toBe(0);
      for (const id of ['virsh-version', 'version', 'list', 'states', 'xml']) {
        const got = r.g.captures.get(id)!;
        const want = expected().captures.get(id)!;
        expect({ id, rc: got.rc, err: got.err }).toEqual({ id, rc: 0, err: '' });
        if (id === 'states') expect(blocks(got.out)).toEqual(blocks(want.out));
        else expect(got.out, id).toBe(want.out);
      }
      expect(buildInventory(r.g, URI)).toEqual(buildInventory(expected(), URI));
      expect(buildInventory(r.g, URI).domains.map((d) => d.name)).toEqual(
        expect.arrayContaining(HOSTILE),
      );

      // Two virsh processes: the listings' session and the XML session; virsh's own version is
      // read from `version`'s answer.
      expect(r.calls).toHaveLength(2);
      const session = r.calls.find((c) => c.argv.at(-1)!.includes('; echo --err '))!;
      const commands = session.argv
        .at(-1)!
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c && !c.startsWith('echo '));
      expect(session.argv.slice(0, -1)).toEqual(['-q', '-c', URI]);
      expect(commands).toEqual([
        'version',
        'list --all --uuid --name',
        'domstats --state',
        'list --uuid --state-running',
      ]);
      // What virsh reads as commands: constants and UUIDs only, never a name.
      const xmlSession = r.calls.find((c) => c.stdin !== '')!;
      const uuid = /^dumpxml [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const lines = xmlSession.stdin.trim().split('\n');
      expect(lines.filter((l) => !uuid.test(l))).toEqual([]);
      expect(lines).toHaveLength(DOMAINS.filter((d) => d.state === 'running').length);
    }, 60_000);
  });

  it('runs the XML session after the listings where no FIFO can be made, with the same result', () => {
    const r = runInventory(['dash'], '', URI, `${noFifo}:${dir}`);
    expect(r.status).toBe(0);
    expect(r.g.captures.get('xml')).toMatchObject({
      rc: 0,
      out: expected().captures.get('xml')!.out,
    });
    expect(buildInventory(r.g, URI)).toEqual(buildInventory(expected(), URI));
    expect(r.calls).toHaveLength(2);
  }, 60_000);

  it('lets no line of the running list that is not a bare UUID reach the XML session', () => {
    // The running list answered "UUID name" lines, the hostile names among them.
    const r = runInventory(['dash'], 'names-in-running');
    expect(r.status).toBe(0);
    expect(r.g.captures.get('running')!.out).toContain('x; destroy victim');
    const xmlSession = r.calls.find((c) => !c.argv.at(-1)!.includes('; echo --err '))!;
    expect(xmlSession.argv).toEqual(['-q', '-c', URI]);
    expect(xmlSession.stdin).toBe('');
  }, 60_000);

  it('reports a list that fails inside the session as the list’s failure, the rest as answered', () => {
    const r = runInventory(['dash'], 'fail-list');
    expect(r.status).toBe(0);
    expect(r.g.captures.get('version')).toMatchObject({ rc: 0, err: '' });
    expect(r.g.captures.get('list')).toMatchObject({
      rc: 1,
      out: '',
      err: "error: failed to get domain '00000000-0000-0000-0000-000000000000'\n",
    });
    expect(blocks(r.g.captures.get('states')!.out)).toEqual(
      blocks(expected().captures.get('states')!.out),
    );
    expect(r.g.captures.get('states')!.rc).toBe(0);
    expect(thrown(() => buildInventory(r.g, URI))).toMatchObject({
      details: { cause: "error: failed to get domain '00000000-0000-0000-0000-000000000000'" },
    });
  }, 60_000);

  it('gives a command the session never finished virsh’s exit status, and the later ones nothing', () => {
    const r = runInventory(['dash'], 'die-after-version');
    expect(r.status).toBe(0);
    expect(r.g.captures.get('version')).toMatchObject({
      rc: 0,
      out: expected().captures.get('version')!.out,
    });
    expect(r.g.captures.get('list')).toMatchObject({ rc: 3, out: '', err: '' });
    expect(r.g.captures.has('states')).toBe(false);
    expect(() => buildInventory(r.g, URI)).toThrow();
  }, 60_000);

  it('stops after the version when the URI cannot be reached, with virsh’s own words', () => {
    const missing = `test://${join(dir, 'missing.xml')}`;
    const r = runInventory(['dash'], '', missing);
    expect(r.status).toBe(0);
    const version = r.g.captures.get('version')!;
    expect(version.rc).toBe(1);
    expect(version.err).toContain('error: failed to connect to the hypervisor');
    expect(r.g.captures.get('virsh-version')).toMatchObject({ rc: 0 });
    expect([...r.g.captures.keys()].sort()).toEqual(['version', 'virsh-version']);
    // The listings, the XML session started beside them (given no UUID), then virsh --version
    // since `version` never answered.
    expect(r.calls.map((c) => c.argv.at(-1))).toEqual(expect.arrayContaining(['--version']));
    expect(r.calls).toHaveLength(3);
    expect(() => buildInventory(r.g, missing)).toThrow();
  }, 60_000);
});
