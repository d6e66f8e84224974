/**
 * Captures real `virsh` output from the running lab into test/fixtures/virsh/ for the app's
 * parser tests: `npx tsx test/lab/capture-fixtures.ts`. Commands run the way the app runs them —
 * over the lab's sshd as the lab user, in that account's default (POSIX) locale — and each
 * file holds the raw stream byte for byte. manifest.json records command, stream and exit code.
 * Re-run after a libvirt upgrade; the UUIDs and PIDs in the files change with every lab.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLabProfile } from './lab.js';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/virsh');

interface Capture {
  file: string;
  /** argv after `virsh` (run remotely; every argument is single-quoted for the remote shell). */
  args: string[];
  uri?: 'qemu' | 'test';
  stream?: 'stdout' | 'stderr';
  note: string;
}

const AGENT = 'quiesce-lab-agent';
const CAPTURES: Capture[] = [
  { file: 'list-all.txt', args: ['list', '--all'], note: 'table; trailing blank line' },
  {
    file: 'list-all-uuid-name.txt',
    args: ['list', '--all', '--uuid', '--name'],
    note: 'libvirt 9.0 prints "<uuid> <name>" per line when both are given (no state)',
  },
  { file: 'dumpxml-agent.xml', args: ['dumpxml', AGENT], note: "channel state='connected'" },
  {
    file: 'dumpxml-noagent.xml',
    args: ['dumpxml', 'quiesce-lab-noagent'],
    note: "channel present, state='disconnected' (agent not started)",
  },
  { file: 'domfsinfo-agent.txt', args: ['domfsinfo', AGENT], note: 'table' },
  {
    file: 'domfsfreeze-agent.txt',
    args: ['domfsfreeze', AGENT],
    note: 'count of frozen filesystems',
  },
  {
    file: 'domfsfreeze-agent-again.stderr.txt',
    args: ['domfsfreeze', AGENT],
    stream: 'stderr',
    note: 'second freeze while frozen is refused',
  },
  {
    file: 'agent-fsfreeze-status-frozen.txt',
    args: ['qemu-agent-command', AGENT, '{"execute":"guest-fsfreeze-status"}'],
    note: 'while frozen',
  },
  { file: 'domfsthaw-agent.txt', args: ['domfsthaw', AGENT], note: 'count of thawed filesystems' },
  {
    file: 'domfsthaw-agent-not-frozen.txt',
    args: ['domfsthaw', AGENT],
    note: 'thaw when nothing is frozen: exit 0, "Thawed 0"',
  },
  {
    file: 'domfsfreeze-noagent.stderr.txt',
    args: ['domfsfreeze', 'quiesce-lab-noagent'],
    stream: 'stderr',
    note: 'channel present, agent not running',
  },
  {
    file: 'domfsfreeze-nochannel.stderr.txt',
    args: ['domfsfreeze', 'quiesce-lab-nochannel'],
    stream: 'stderr',
    note: 'no agent channel in the domain',
  },
  {
    file: 'test-driver-list-all.txt',
    args: ['list', '--all'],
    uri: 'test',
    note: 'POSIX locale: non-ASCII bytes of names are printed as \\xff in the table',
  },
  {
    file: 'test-driver-list-all-uuid-name.txt',
    args: ['list', '--all', '--uuid', '--name'],
    uri: 'test',
    note: 'names raw (UTF-8), with spaces and shell metacharacters',
  },
];

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function main(): void {
  const profile = readLabProfile();
  fs.mkdirSync(OUT, { recursive: true });
  const manifest: Record<string, unknown>[] = [];
  const ssh = (remote: string) =>
    spawnSync(
      'ssh',
      [
        '-i',
        profile.keyPath,
        '-p',
        String(profile.port),
        '-o',
        `UserKnownHostsFile=${profile.knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        `${profile.user}@${profile.address}`,
        remote,
      ],
      { encoding: 'buffer', timeout: 60_000 },
    );
  try {
    for (const c of CAPTURES) {
      const uri = c.uri === 'test' ? profile.testDriverUri : profile.libvirtUri;
      const remote = ['virsh', '-c', uri, ...c.args].map(q).join(' ');
      const res = ssh(remote);
      const stream = c.stream ?? 'stdout';
      fs.writeFileSync(path.join(OUT, c.file), stream === 'stdout' ? res.stdout : res.stderr);
      manifest.push({
        file: c.file,
        command: ['virsh', '-c', uri, ...c.args],
        stream,
        exitCode: res.status,
        note: c.note,
      });
      process.stderr.write(`${c.file}: exit ${res.status}\n`);
    }
  } finally {
    // Never leave the guest frozen, whatever failed above.
    ssh(['virsh', '-c', profile.libvirtUri, 'domfsthaw', AGENT].map(q).join(' '));
  }
  const about = {
    capturedWith: 'test/lab/capture-fixtures.ts',
    libvirt: spawnSync('virsh', ['--version'], { encoding: 'utf8' }).stdout.trim(),
    transport: `ssh as ${profile.user} (group libvirt), remote locale POSIX`,
    captures: manifest,
  };
  fs.writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify(about, null, 2) + '\n');
}

main();
